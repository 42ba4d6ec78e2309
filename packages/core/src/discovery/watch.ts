/**
 * Following a pipe directory: a scan at once, then one whenever a tool's upstream pipe is
 * created or removed (a directory watch, settled for a moment so a burst costs one scan), and a full scan
 * every few seconds as the fallback (no watch support, a directory that does not exist yet, a
 * tool that comes back under the same name). Scans never overlap: a rescan asked for while one
 * runs happens once after it. Used by the MCP bridge, the NATS gateway and the dashboard.
 */
import type { FSWatcher } from "node:fs";
import { watch } from "node:fs";
import { parsePipeName } from "./names.js";
import type { PipeInfo, ScanOptions } from "./scan.js";
import { scanPipes } from "./scan.js";

/** Options of {@link watchPipes}. */
export interface WatchPipesOptions {
  /** Full rescan period, in ms [2000]. */
  rescanMs?: number;
  /** How long a burst of directory events settles before the scan, in ms [50]. */
  settleMs?: number;
  /** Options of each scan. */
  scan?: ScanOptions;
}

/** A directory being followed. */
export interface PipeWatcher {
  /** Scans now (or once more after the scan in progress); resolves when that scan is done. */
  rescan(): Promise<void>;
  /** Stops following; resolves when a scan in progress has finished. */
  close(): Promise<void>;
}

/**
 * Follows `dir`, calling `onScan` with the pipes found by each scan ({@link scanPipes}; an
 * unreadable directory gives `error` and no pipes). `onScan` may be asynchronous: the next
 * scan waits for it. Timers and the watch never keep the process alive.
 */
export function watchPipes(
  dir: string,
  onScan: (pipes: PipeInfo[], error: Error | undefined) => void | Promise<void>,
  options: WatchPipesOptions = {},
): PipeWatcher {
  let running: Promise<void> | undefined;
  let again = false;
  let closed = false;
  let settle: NodeJS.Timeout | undefined;

  const scanOnce = async (): Promise<void> => {
    let pipes: PipeInfo[] = [];
    let error: Error | undefined;
    try {
      pipes = await scanPipes(dir, options.scan);
    } catch (err) {
      error = err as Error;
    }
    if (!closed) await onScan(pipes, error);
  };
  const rescan = (): Promise<void> => {
    if (closed) return Promise.resolve();
    if (running !== undefined) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await scanOnce();
      } while (again && !closed);
    })().finally(() => (running = undefined));
    return running;
  };

  const timer = setInterval(() => void rescan(), options.rescanMs ?? 2000);
  timer.unref();
  let watcher: FSWatcher | undefined;
  try {
    // Only tools (upstream pipes) coming and going matter: every call writes to a pipe, and
    // every client makes its own, which must not cost a scan each (the periodic scan sees them).
    watcher = watch(dir, { persistent: false }, (type, file) => {
      if (type !== "rename" || typeof file !== "string") return;
      if (parsePipeName(file)?.role !== "upstream") return;
      clearTimeout(settle);
      settle = setTimeout(() => void rescan(), options.settleMs ?? 50);
      settle.unref();
    });
    watcher.on("error", () => watcher?.close());
  } catch {
    // No such directory yet, or no watch support: the timer does it.
  }
  void rescan();
  return {
    rescan,
    async close() {
      closed = true;
      clearInterval(timer);
      clearTimeout(settle);
      watcher?.close();
      await running?.catch(() => undefined);
    },
  };
}
