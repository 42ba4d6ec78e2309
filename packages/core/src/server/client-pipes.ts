/**
 * Opening a client's pipes from the server side, and what to do when the process has no file
 * descriptor left: one spare descriptor is kept, so that a client can still be told it was
 * refused instead of waiting out its timeout.
 */
import fs from "node:fs";
import { causeCode, openFifo } from "../transport/fifo.js";
import { PipeWriter } from "../transport/writer.js";

/** True for an error meaning the process (or the system) is out of file descriptors. */
export function outOfDescriptors(err: unknown): boolean {
  const code = causeCode(err);
  return code === "EMFILE" || code === "ENFILE";
}

/** One descriptor held back for telling clients "no" when all others are in use. */
export class SpareDescriptor {
  #fd: number | undefined;

  /** Takes the spare descriptor (at start). */
  hold(): void {
    if (this.#fd !== undefined) return;
    try {
      this.#fd = fs.openSync("/dev/null", "r");
    } catch {
      // Already at the limit: refusals will be silent until a descriptor frees up.
    }
  }

  /** Gives the spare back (at stop). */
  release(): void {
    if (this.#fd !== undefined) fs.closeSync(this.#fd);
    this.#fd = undefined;
  }

  /** Runs `fn` with the spare descriptor freed for it, then takes it again. */
  async lend(fn: () => Promise<void>): Promise<void> {
    this.release();
    try {
      await fn();
    } finally {
      this.hold();
    }
  }
}

/** Sends one line to a client that is not subscribed (a refusal), then closes. */
export async function replyOnce(path: string, line: string): Promise<void> {
  try {
    const writer = new PipeWriter(await openFifo(path, "write"));
    writer.write(line);
    await writer.close({ timeoutMs: 200 });
  } catch {
    // The client is not reading: nothing more we can tell it.
  }
}
