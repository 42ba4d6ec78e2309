/**
 * Finding the tool pipes in a directory and telling live ones from orphans, without disturbing
 * anyone:
 * - an upstream pipe (`tool-<name>`) is live when some process reads it. The probe is a
 *   non-blocking write-only open and close; servers (ours and the reference's) hold their
 *   upstream read-write, so the probe never hands a reader an end-of-file. It is made only on
 *   pipes that are ours and are FIFOs;
 * - a client's pipe (`tool-<name>-<pid>...`) is never opened: it is live while its pid lives;
 * - a data pipe (`tool-<name>-data`) is live while its tool's upstream is;
 * - a pipe modified less than `graceMs` ago is `starting`, not orphaned: its creator may not
 *   have opened it yet;
 * - another user's pipe is `foreign`: never probed, never removed.
 */
import type { Dirent, Stats } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { PipeToolError } from "../errors.js";
import { MY_UID, hasReader } from "../transport/fifo.js";
import type { PipeName } from "./names.js";
import { parsePipeName, pidAlive } from "./names.js";

/** How a pipe stands. */
export type PipeStatus =
  /** In use: a server reads it, or the client that made it is alive. */
  | "live"
  /** Nobody uses it any more: safe to remove. */
  | "orphaned"
  /** Unused but just made: its creator may be about to open it. */
  | "starting"
  /** Another user's: left alone. */
  | "foreign";

/** One tool pipe found by {@link scanPipes}. */
export interface PipeInfo extends PipeName {
  /** Full path. */
  path: string;
  /** The directory it is in. */
  dir: string;
  status: PipeStatus;
  /** Owner's uid. */
  uid: number;
  /** Inode number (to make sure a pipe is still the one scanned before removing it). */
  ino: number;
  /** Last modification, ms since the epoch. */
  mtimeMs: number;
}

/** Options of {@link scanPipes}. */
export interface ScanOptions {
  /** Also scan subdirectories (never following symlinks) [false]. */
  recursive?: boolean;
  /** How deep `recursive` goes [4]. */
  maxDepth?: number;
  /** Unused pipes younger than this are `starting`, not `orphaned`, in ms [1000]. */
  graceMs?: number;
}

interface Found {
  path: string;
  dir: string;
  name: PipeName;
  st: Stats;
}

async function collect(
  dir: string,
  depth: number,
  options: ScanOptions,
  out: Found[],
): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (depth > 0) return; // an unreadable subdirectory: skip it
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such directory" : (err as Error).message;
    throw new PipeToolError("EIO", `cannot read ${dir}: ${why}`, { cause: err });
  }
  const subdirs: string[] = [];
  await Promise.all(
    entries.map(async (entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (options.recursive === true && depth < (options.maxDepth ?? 4)) subdirs.push(full);
        return;
      }
      const name = parsePipeName(entry.name);
      if (name === null) return;
      const st = await fs.lstat(full).catch(() => undefined);
      if (st?.isFIFO() === true) out.push({ path: full, dir, name, st });
    }),
  );
  for (const sub of subdirs.sort()) await collect(sub, depth + 1, options, out);
}

async function upstreamLive(found: Found): Promise<boolean | "foreign"> {
  try {
    return await hasReader(found.path);
  } catch (err) {
    if (err instanceof PipeToolError && err.code === "EUNSAFEPIPE") return "foreign";
    throw err;
  }
}

/**
 * Lists the tool pipes (`tool-*` FIFOs) in `dir`, each with its status. Sorted by path.
 * @throws PipeToolError `EIO` when `dir` cannot be read.
 */
export async function scanPipes(dir: string, options: ScanOptions = {}): Promise<PipeInfo[]> {
  const found: Found[] = [];
  await collect(path.resolve(dir), 0, options, found);
  const graceMs = options.graceMs ?? 1000;
  const now = Date.now();
  const young = (f: Found): boolean => now - f.st.mtimeMs < graceMs;
  const mine = (f: Found): boolean => MY_UID < 0 || f.st.uid === MY_UID;

  const status = new Map<string, PipeStatus>();
  // Upstreams first: the data pipes follow their tool's upstream.
  await Promise.all(
    found
      .filter((f) => f.name.role === "upstream")
      .map(async (f) => {
        const live = mine(f) ? await upstreamLive(f) : "foreign";
        status.set(
          f.path,
          live === "foreign" ? "foreign" : live ? "live" : young(f) ? "starting" : "orphaned",
        );
      }),
  );
  for (const f of found) {
    if (f.name.role === "upstream") continue;
    let s: PipeStatus;
    if (!mine(f)) s = "foreign";
    else if (f.name.pid !== undefined) s = pidAlive(f.name.pid) ? "live" : "orphaned";
    else {
      const upstream = status.get(path.join(f.dir, `tool-${f.name.tool}`));
      s =
        upstream === "live"
          ? "live"
          : young(f) || upstream === "starting"
            ? "starting"
            : "orphaned";
    }
    status.set(f.path, s);
  }
  return found
    .map((f) => ({
      ...f.name,
      path: f.path,
      dir: f.dir,
      status: status.get(f.path) ?? "foreign",
      uid: f.st.uid,
      ino: f.st.ino,
      mtimeMs: f.st.mtimeMs,
    }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
