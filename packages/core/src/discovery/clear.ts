/**
 * Removing orphaned pipes. Each one is checked again just before it goes: still the same file,
 * still ours, still unused. A live pipe or another user's is never removed.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { MY_UID, hasReader, removeFifo } from "../transport/fifo.js";
import { pidAlive } from "./names.js";
import type { PipeInfo } from "./scan.js";

/** What {@link clearOrphans} did. */
export interface ClearResult {
  /** Pipes removed. */
  removed: PipeInfo[];
  /** Pipes left because they came back to life or changed since the scan. */
  kept: PipeInfo[];
  /** Pipes that could not be removed, with the reason. */
  failed: { pipe: PipeInfo; error: string }[];
}

async function stillOrphaned(pipe: PipeInfo): Promise<boolean> {
  const st = await fs.lstat(pipe.path).catch(() => undefined);
  if (st === undefined || !st.isFIFO() || st.ino !== pipe.ino) return false;
  if (MY_UID >= 0 && st.uid !== MY_UID) return false;
  if (pipe.pid !== undefined) return !pidAlive(pipe.pid);
  const upstream = pipe.role === "upstream" ? pipe.path : path.join(pipe.dir, `tool-${pipe.tool}`);
  return !(await hasReader(upstream).catch(() => true));
}

/** Removes the pipes of `pipes` whose status is `orphaned`. */
export async function clearOrphans(pipes: readonly PipeInfo[]): Promise<ClearResult> {
  const result: ClearResult = { removed: [], kept: [], failed: [] };
  for (const pipe of pipes) {
    if (pipe.status !== "orphaned") continue;
    try {
      if (!(await stillOrphaned(pipe))) result.kept.push(pipe);
      else if (await removeFifo(pipe.path)) result.removed.push(pipe);
      else result.kept.push(pipe);
    } catch (err) {
      result.failed.push({ pipe, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return result;
}
