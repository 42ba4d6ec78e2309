/**
 * Which process serves a tool, and since when: the pid from the processes holding its upstream
 * pipe (as `cpipe --pid` finds them), the start time from `ps` (portable to macOS, unlike
 * /proc/PID/stat).
 */
import { execFile } from "node:child_process";
import type { PipeInfo } from "named-pipe-tools";
import { findHolders } from "named-pipe-tools";

/**
 * The pid of the server reading `upstream`, or undefined when it cannot be told (no /proc and
 * no lsof, or another user's process). Clients that also hold the upstream open are known by
 * their own downstream pipes and left out.
 */
export function serverPid(upstream: PipeInfo, pipes: readonly PipeInfo[]): number | undefined {
  const holders = findHolders([upstream.path])?.get(upstream.path) ?? [];
  const clients = new Set(
    pipes
      .filter(
        (p) =>
          p.dir === upstream.dir &&
          p.tool === upstream.tool &&
          p.role === "downstream" &&
          p.status === "live",
      )
      .map((p) => p.pid),
  );
  const readers = holders.filter((h) => h.access !== "write" && !clients.has(h.pid));
  return readers[0]?.pid;
}

/** Parses `ps -o etime` output (`[[DD-]HH:]MM:SS`) into seconds; undefined when malformed. */
export function parseElapsed(text: string): number | undefined {
  const m = /^\s*(?:(\d+)-)?(?:(\d+):)?(\d+):(\d+)\s*$/.exec(text);
  if (m === null) return undefined;
  const [days, hours, minutes, seconds] = [m[1], m[2], m[3], m[4]].map((v) => Number(v ?? 0));
  return ((days! * 24 + hours!) * 60 + minutes!) * 60 + seconds!;
}

/** When process `pid` started (ms since the epoch), or undefined when `ps` cannot tell. */
export function processStartTime(pid: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    execFile("ps", ["-o", "etime=", "-p", String(pid)], { timeout: 2000 }, (err, stdout) => {
      const secs = err === null ? parseElapsed(stdout) : undefined;
      resolve(secs === undefined ? undefined : Date.now() - secs * 1000);
    });
  });
}
