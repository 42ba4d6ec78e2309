/**
 * Telling, after a subscribe that went unanswered, that the tool is a server of the Python
 * project: such a server ignores our client token and subscribes our bare pid instead, creating
 * `tool-<name>-<pid>` and holding it open, a pipe nobody reads, on which it blocks for good once
 * ~64 KiB of broadcasts pile up. So we leave it as found: an unsubscribe it understands (written
 * after our subscribe, so never for a pid it does not know, which would crash it) and the pipe
 * removed.
 */
import { closeSync, writeSync } from "node:fs";
import fs from "node:fs/promises";
import { openFifo, removeFifo } from "../transport/fifo.js";
import { clientPaths } from "../transport/paths.js";

/** The reply pipe a server of the Python project uses for this process: `tool-<name>-<pid>`. */
export function pidOnlyPipe(name: string, dir: string): string {
  return clientPaths(name, dir, process.pid, undefined).downstream;
}

/** Whether `path` exists (as anything). */
export async function pathExists(path: string): Promise<boolean> {
  return fs.lstat(path).then(
    () => true,
    () => false,
  );
}

/**
 * When `pipe` (absent before our subscribe) is there now, a server of the Python project has
 * subscribed us under it: writes the unsubscribe it understands to its `upstream` (one short
 * line, a single non-blocking write), removes the pipe, and resolves true.
 */
export async function leaveReferenceServer(pipe: string, upstream: string): Promise<boolean> {
  if (!(await pathExists(pipe))) return false;
  try {
    const fd = await openFifo(upstream, "write");
    try {
      writeSync(fd, `${JSON.stringify({ pid: process.pid, cmd: "unsubscribe" })}\n`);
    } finally {
      closeSync(fd);
    }
  } catch {
    // The server is gone (or its pipe full): it keeps no subscription worth leaving.
  }
  await removeFifo(pipe).catch(() => false);
  return true;
}
