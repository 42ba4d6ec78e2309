/**
 * The server's own pipes: claiming a path (creating it, or taking it over from a dead server)
 * and releasing it (removing it only if it is still the pipe we created).
 */
import fs from "node:fs/promises";
import { PipeToolError } from "../errors.js";
import {
  causeCode,
  createFifo,
  hasReader,
  openFifo,
  removeFifo,
  removeFifoSync,
  unsafeReason,
} from "../transport/fifo.js";

/** A pipe this server created, with its inode. */
export interface OwnedPipe {
  path: string;
  ino: number;
}

/**
 * Creates the FIFO at `path` (taking over a stale one of ours) and opens it read-write; records it
 * in `owned`. Refuses a symlink, a non-FIFO or another user's pipe (`EUNSAFEPIPE`), and a pipe a
 * live process reads (`EINUSE`, with `inUse` as the start of the message).
 */
export async function claimPipe(path: string, inUse: string, owned: OwnedPipe[]): Promise<number> {
  const existing = await fs.lstat(path).catch(() => undefined);
  if (existing !== undefined) {
    const reason = existing.isSymbolicLink() ? "it is a symbolic link" : unsafeReason(existing);
    if (reason !== undefined) throw new PipeToolError("EUNSAFEPIPE", `refusing ${path}: ${reason}`);
    if (await hasReader(path)) {
      throw new PipeToolError(
        "EINUSE",
        `${inUse}: a live process reads ${path}. Stop it first, or choose another name.`,
      );
    }
    await removeFifo(path); // a stale pipe of ours from a server that died
  }
  try {
    await createFifo(path);
  } catch (err) {
    if (causeCode(err) === "EEXIST") {
      throw new PipeToolError("EINUSE", `${inUse}: another server created ${path} just now`, {
        cause: err,
      });
    }
    throw err;
  }
  const fd = await openFifo(path, "readwrite");
  const st = await fs.stat(path);
  owned.push({ path, ino: st.ino });
  return fd;
}

/** Removes a pipe we created, unless another server has replaced it since. */
export async function releasePipe({ path, ino }: OwnedPipe): Promise<void> {
  const st = await fs.lstat(path).catch(() => undefined);
  if (st !== undefined && st.ino === ino) await removeFifo(path).catch(() => false);
}

/**
 * Synchronous removal at process exit (a crash included): like {@link releasePipe}, each pipe
 * only while it is still the inode we created, so a server that dies after its pipes were
 * replaced never removes the new server's.
 */
export function removeOwnedSync(owned: readonly OwnedPipe[]): void {
  for (const { path, ino } of owned) removeFifoSync(path, ino);
}
