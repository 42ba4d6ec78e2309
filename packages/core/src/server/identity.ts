/**
 * Who owns a process: on Linux, the effective uid from /proc/<pid>/status. Used to refuse a
 * subscribe that names another user's process.
 */
import fs from "node:fs/promises";

/** Effective uid of `pid`; `null` when no such process; `undefined` where /proc is unavailable. */
export async function processUid(pid: number): Promise<number | null | undefined> {
  if (process.platform !== "linux") return undefined;
  let text: string;
  try {
    text = await fs.readFile(`/proc/${pid}/status`, "utf8");
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ENOENT" ? null : undefined;
  }
  const match = /^Uid:\s+(\d+)\s+(\d+)/m.exec(text);
  return match === null ? undefined : Number(match[2]);
}
