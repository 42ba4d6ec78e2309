/**
 * Creating, opening and removing FIFOs safely. Every open uses O_NONBLOCK (never blocks) and
 * O_NOFOLLOW (never follows a planted symlink), then checks the opened object itself with fstat:
 * a FIFO owned by this user. Checking the opened fd, not the path, leaves no check-then-act race.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { PipeToolError } from "../errors.js";
import { privatePipeDirPath } from "./paths.js";

const execFileAsync = promisify(execFile);
const closeAsync = promisify(fs.close);

const { O_RDONLY, O_WRONLY, O_RDWR, O_NONBLOCK, O_NOFOLLOW } = fs.constants;

/** How to open a FIFO. */
export type FifoMode = "read" | "write" | "readwrite";

const MODE_FLAGS: Record<FifoMode, number> = {
  read: O_RDONLY,
  write: O_WRONLY,
  readwrite: O_RDWR,
};

/** This process's effective uid (-1 where the platform has none). */
export const MY_UID = typeof process.geteuid === "function" ? process.geteuid() : -1;

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * Creates a FIFO with mode 0600. Node has no mkfifo(2), so this runs the `mkfifo` program.
 * @throws PipeToolError `EIO` with `cause.code === "EEXIST"` when the path exists.
 */
export async function createFifo(path: string): Promise<void> {
  await createFifos([path]);
}

/**
 * Creates several FIFOs (mode 0600) with one run of `mkfifo`: starting a program costs
 * milliseconds, so a client makes all its pipes at once.
 * @throws PipeToolError `EIO` with `cause.code === "EEXIST"` when a path exists.
 */
export async function createFifos(paths: readonly string[]): Promise<void> {
  try {
    await execFileAsync("mkfifo", ["-m", "600", "--", ...paths]);
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? "";
    const what = paths.length === 1 ? `pipe ${paths[0]}` : `pipes ${paths.join(", ")}`;
    if (/exists/i.test(stderr)) {
      const cause = Object.assign(new Error(`EEXIST: ${stderr.trim()}`), { code: "EEXIST" });
      throw new PipeToolError("EIO", `cannot create ${what}: it already exists`, { cause });
    }
    if (errno(err) === "ENOENT" && stderr === "") {
      throw new PipeToolError("EIO", "cannot create pipes: the 'mkfifo' program is not installed", {
        cause: err,
      });
    }
    throw new PipeToolError("EIO", `cannot create ${what}: ${stderr.trim() || String(err)}`, {
      cause: err,
    });
  }
}

/** Checks an fstat/lstat result: a FIFO owned by this user. Returns a reason when not. */
export function unsafeReason(st: fs.Stats): string | undefined {
  if (!st.isFIFO()) return "it is not a FIFO";
  if (MY_UID >= 0 && st.uid !== MY_UID) return `it is owned by uid ${st.uid}, not by you`;
  return undefined;
}

/**
 * Opens a FIFO without blocking and without following symlinks, then verifies the opened object.
 * Errors keep the errno in `cause` (notably `ENXIO`: opened for writing with no reader, and
 * `ENOENT`).
 *
 * The open and the check are synchronous calls: with O_NONBLOCK neither can wait for another
 * process, and doing them on the event loop saves two trips through the thread pool (each a
 * wake-up of another thread, which costs most on an idle machine).
 * @throws PipeToolError `EUNSAFEPIPE` for a symlink, a non-FIFO, or another user's pipe.
 */
export async function openFifo(path: string, mode: FifoMode): Promise<number> {
  let fd: number;
  try {
    fd = fs.openSync(path, MODE_FLAGS[mode] | O_NONBLOCK | O_NOFOLLOW);
  } catch (err) {
    if (errno(err) === "ELOOP") {
      throw new PipeToolError("EUNSAFEPIPE", `refusing ${path}: it is a symbolic link`, {
        cause: err,
      });
    }
    throw new PipeToolError("EIO", `cannot open ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  try {
    const reason = unsafeReason(fs.fstatSync(fd));
    if (reason !== undefined) {
      throw new PipeToolError("EUNSAFEPIPE", `refusing ${path}: ${reason}`);
    }
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
  return fd;
}

/** The errno code behind a PipeToolError from this module, if any. */
export function causeCode(err: unknown): string | undefined {
  return errno((err as { cause?: unknown } | undefined)?.cause) ?? errno(err);
}

/**
 * Tells whether some process holds `path` open for reading, by a non-blocking write-only open.
 * Only ever used on upstream pipes, whose servers hold them read-write, so closing the probe
 * never hands a reader an end-of-file. `false` when the path does not exist.
 * @throws PipeToolError `EUNSAFEPIPE` when the path is not a FIFO of ours.
 */
export async function hasReader(path: string): Promise<boolean> {
  try {
    const fd = await openFifo(path, "write");
    await closeAsync(fd).catch(() => undefined);
    return true;
  } catch (err) {
    const code = causeCode(err);
    if (code === "ENXIO" || code === "ENOENT") return false;
    throw err;
  }
}

/**
 * Removes `path` if it is a FIFO owned by this user; never removes anything else. Missing paths
 * are fine. Returns whether it removed something.
 */
export async function removeFifo(path: string): Promise<boolean> {
  try {
    const st = await fs.promises.lstat(path);
    if (unsafeReason(st) !== undefined) return false;
    await fs.promises.unlink(path);
    return true;
  } catch (err) {
    if (errno(err) === "ENOENT") return false;
    throw err;
  }
}

/**
 * Synchronous variant of {@link removeFifo}, for process-exit cleanup only. With `ino`, removes
 * the path only while it is still that inode: a pipe another process has put there since (a new
 * server under the same name) is left alone.
 */
export function removeFifoSync(path: string, ino?: number): void {
  try {
    const st = fs.lstatSync(path);
    if (unsafeReason(st) !== undefined || (ino !== undefined && st.ino !== ino)) return;
    fs.unlinkSync(path);
  } catch {
    // Already gone, or not ours: nothing to clean.
  }
}

/**
 * Checks an lstat result for a private pipe directory: a real directory (not a symlink), owned
 * by this user, with no permission bits for group or others. Returns a reason when not.
 */
export function privateDirReason(st: fs.Stats): string | undefined {
  if (!st.isDirectory()) return "it is not a directory";
  if (MY_UID >= 0 && st.uid !== MY_UID) return `it is owned by uid ${st.uid}, not by you`;
  const mode = st.mode & 0o7777;
  if ((mode & 0o077) !== 0) {
    return `its mode is ${mode.toString(8).padStart(4, "0")}: group or others have access (chmod 700 it, or remove it)`;
  }
  return undefined;
}

/** Options of {@link ensurePipeDir}. */
export interface PipeDirOptions {
  /**
   * The directory must be private (see {@link privateDirReason}) [true when `dir` is
   * `privatePipeDirPath()`, else false].
   */
  private?: boolean;
}

/**
 * Makes sure `dir` exists and is usable. A directory we create is made 0700. An existing one
 * must be a real directory (not a symlink); if it is not world-writable with the sticky bit
 * (like /tmp) it must belong to this user or root. A private directory (the per-user one, or
 * `private: true`) must be ours with no group or other bits, even when sticky: a 1777 directory
 * another user made first under our private name would let them list, rename and delete our
 * pipes.
 * @throws PipeToolError `EUNSAFEPIPE`
 */
export async function ensurePipeDir(dir: string, options: PipeDirOptions = {}): Promise<void> {
  const strict = options.private ?? resolve(dir) === resolve(privatePipeDirPath());
  try {
    await fs.promises.mkdir(dir, { mode: 0o700 });
    if (!strict) return;
  } catch (err) {
    if (errno(err) === "ENOENT") {
      await fs.promises.mkdir(dir, { recursive: true, mode: 0o700 });
      if (!strict) return;
    } else if (errno(err) !== "EEXIST") {
      throw new PipeToolError(
        "EIO",
        `cannot create pipe directory ${dir}: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
  }
  const st = await fs.promises.lstat(dir);
  if (strict) {
    const reason = privateDirReason(st);
    if (reason !== undefined) {
      throw new PipeToolError("EUNSAFEPIPE", `refusing private pipe directory ${dir}: ${reason}`);
    }
    return;
  }
  if (!st.isDirectory()) {
    throw new PipeToolError("EUNSAFEPIPE", `refusing pipe directory ${dir}: not a directory`);
  }
  const sharedSticky = (st.mode & 0o1002) === 0o1002;
  if (!sharedSticky && MY_UID >= 0 && st.uid !== MY_UID && st.uid !== 0) {
    throw new PipeToolError(
      "EUNSAFEPIPE",
      `refusing pipe directory ${dir}: owned by uid ${st.uid}, not by you`,
    );
  }
}
