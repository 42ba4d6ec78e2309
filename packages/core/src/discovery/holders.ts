/**
 * Which processes hold given pipes open, and how: from /proc/<pid>/fd and fdinfo on Linux, from
 * `lsof` elsewhere (macOS). Only processes this user may inspect are seen.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";

/** How a process has a pipe open. */
export type PipeAccess = "read" | "write" | "readwrite";

/** A process holding a pipe open. */
export interface PipeHolder {
  pid: number;
  /** Open mode, when known. */
  access: PipeAccess | undefined;
  /** The process's command name, when known. */
  command: string | undefined;
}

const ACCESS_BY_FLAGS: readonly PipeAccess[] = ["read", "write", "readwrite"];

function readOr(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

function fromProc(keys: Map<string, string>): Map<string, PipeHolder[]> {
  const result = new Map<string, PipeHolder[]>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    let fds: string[];
    try {
      fds = fs.readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue; // gone, or another user's
    }
    let command: string | undefined;
    for (const fd of fds) {
      let target: string;
      try {
        target = fs.readlinkSync(`/proc/${entry}/fd/${fd}`);
      } catch {
        continue;
      }
      const original = keys.get(target);
      if (original === undefined) continue;
      const flags = /flags:\s*([0-7]+)/.exec(readOr(`/proc/${entry}/fdinfo/${fd}`) ?? "")?.[1];
      const access = flags === undefined ? undefined : ACCESS_BY_FLAGS[parseInt(flags, 8) & 3];
      command ??= readOr(`/proc/${entry}/comm`)?.trim();
      const list = result.get(original) ?? [];
      if (!list.some((h) => h.pid === pid && h.access === access)) {
        list.push({ pid, access, command });
      }
      result.set(original, list);
    }
  }
  return result;
}

function fromLsof(keys: Map<string, string>): Map<string, PipeHolder[]> | undefined {
  const run = spawnSync("lsof", ["-F", "pcan", "--", ...keys.keys()], { encoding: "utf8" });
  if (run.error !== undefined) return undefined;
  const result = new Map<string, PipeHolder[]>();
  let pid = 0;
  let command: string | undefined;
  let access: PipeAccess | undefined;
  for (const line of run.stdout.split("\n")) {
    const field = line[0];
    const value = line.slice(1);
    if (field === "p") {
      pid = Number(value);
      command = undefined;
    } else if (field === "c") command = value;
    else if (field === "f") access = undefined;
    else if (field === "a") access = value === "r" ? "read" : value === "w" ? "write" : "readwrite";
    else if (field === "n") {
      const original = keys.get(value);
      if (original === undefined || pid === process.pid) continue;
      const list = result.get(original) ?? [];
      list.push({ pid, access, command });
      result.set(original, list);
    }
  }
  return result;
}

/**
 * The processes holding each of `paths` open (paths nobody holds are absent from the map).
 * Synchronous: it reads /proc (or runs lsof). Undefined when neither is available.
 */
export function findHolders(paths: readonly string[]): Map<string, PipeHolder[]> | undefined {
  // The kernel reports resolved paths: key each real path to the path the caller gave.
  const keys = new Map<string, string>();
  for (const p of paths) {
    let real = p;
    try {
      real = fs.realpathSync(p);
    } catch {
      // Gone since: nobody can hold it by that name.
    }
    keys.set(real, p);
  }
  if (keys.size === 0) return new Map();
  if (fs.existsSync("/proc/self/fd")) return fromProc(keys);
  return fromLsof(keys);
}
