/**
 * Serialized, non-blocking writing to a FIFO.
 *
 * In `atomic` mode (used on pipes that many processes share) every write(2) is at most
 * {@link ATOMIC_WRITE_BYTES} and only one is in flight at a time, so the kernel never interleaves
 * our bytes with another writer's. Small messages queued together are coalesced into one write.
 * Callers split larger messages into pieces first (see framing/fragments and framing/binary).
 *
 * In plain mode (a pipe with one writer) the writes of one event-loop tick are coalesced: the
 * socket is corked on the first and uncorked on the next tick (or once 16 KiB have gathered),
 * so a burst of small messages costs one writev(2) instead of one write(2) each.
 *
 * In both modes the bytes waiting in memory are bounded: past `maxQueuedBytes` a write fails with
 * `ETOOBIG` and the writer reports overflow, so a reader that stopped reading never makes the
 * writer's memory grow without limit.
 */
import net from "node:net";
import { PipeToolError } from "../errors.js";
import { ATOMIC_WRITE_BYTES } from "./paths.js";

/** Plain-mode writes gathered in one tick are flushed early past this many bytes. */
const COALESCE_BYTES = 16 * 1024;

/** Options for {@link PipeWriter}. */
export interface PipeWriterOptions {
  /** Keep every write(2) within PIPE_BUF and serialize them. Default false. */
  atomic?: boolean;
  /** Most bytes queued in memory before writes fail, in bytes. Default 16 MiB. */
  maxQueuedBytes?: number;
  /**
   * What a write past `maxQueuedBytes` does: `"fail"` (default) breaks the writer and reports
   * it through `onError` (a server drops a client that does not keep up); `"throw"` throws
   * `ETOOBIG` from that write and leaves the writer usable (a client refuses one oversized send).
   */
  overflow?: "fail" | "throw";
  /** Called once on the first write error (EPIPE when the reader is gone) or overflow. */
  onError?: (err: PipeToolError) => void;
}

/** A serialized writer on a FIFO fd. */
export class PipeWriter {
  readonly #socket: net.Socket;
  readonly #atomic: boolean;
  readonly #maxQueued: number;
  readonly #onError: ((err: PipeToolError) => void) | undefined;
  readonly #overflow: "fail" | "throw";
  #queue: Buffer[] = [];
  #queuedBytes = 0;
  #inFlight = false;
  #failed: PipeToolError | undefined;
  #closed = false;
  #corked = false;
  readonly #uncork = (): void => {
    if (!this.#corked) return;
    this.#corked = false;
    this.#socket.uncork();
  };
  readonly #afterWrite = (err?: Error | null): void => {
    this.#inFlight = false;
    if (err) return; // reported through the socket's 'error' event
    this.#pump();
  };

  constructor(fd: number, options: PipeWriterOptions = {}) {
    this.#socket = new net.Socket({ fd, readable: false, writable: true });
    this.#atomic = options.atomic ?? false;
    this.#maxQueued = options.maxQueuedBytes ?? 16 * 1024 * 1024;
    this.#onError = options.onError;
    this.#overflow = options.overflow ?? "fail";
    this.#socket.on("error", (err: NodeJS.ErrnoException) => {
      const gone = err.code === "EPIPE" || err.code === "ECONNRESET";
      this.#fail(
        new PipeToolError(
          "EIO",
          gone ? "the reader closed the pipe" : `write failed: ${err.message}`,
          {
            cause: err,
          },
        ),
      );
    });
  }

  /** Bytes accepted but not yet written to the pipe. */
  get queuedBytes(): number {
    return this.#atomic ? this.#queuedBytes : this.#socket.writableLength;
  }

  /** The error that broke this writer, if any. */
  get error(): PipeToolError | undefined {
    return this.#failed;
  }

  /** True once closed or failed. */
  get dead(): boolean {
    return this.#closed || this.#failed !== undefined;
  }

  /**
   * Queues buffers for writing, in order. In atomic mode each buffer must be at most
   * PIPE_BUF bytes. Returns false (and reports an error once) when the writer is dead or full;
   * with `overflow: "throw"` a full writer throws instead.
   */
  write(buffers: Buffer | readonly Buffer[]): boolean {
    if (this.#failed !== undefined || this.#closed) return false;
    const list = Buffer.isBuffer(buffers) ? [buffers] : buffers;
    let bytes = 0;
    for (const b of list) bytes += b.length;
    if (this.queuedBytes + bytes > this.#maxQueued) {
      const err = new PipeToolError(
        "ETOOBIG",
        `reader is not keeping up: more than ${this.#maxQueued} bytes queued for it`,
      );
      if (this.#overflow === "throw") throw err;
      this.#fail(err);
      return false;
    }
    if (!this.#atomic) {
      if (!this.#corked) {
        this.#corked = true;
        this.#socket.cork();
        process.nextTick(this.#uncork);
      }
      for (const b of list) this.#socket.write(b);
      if (this.#socket.writableLength >= COALESCE_BYTES) this.#uncork();
      return true;
    }
    for (const b of list) {
      if (b.length > ATOMIC_WRITE_BYTES) {
        throw new RangeError(`atomic write of ${b.length} bytes exceeds PIPE_BUF`);
      }
      this.#queue.push(b);
    }
    this.#queuedBytes += bytes;
    if (!this.#inFlight) this.#pump();
    return true;
  }

  #pump(): void {
    if (this.#queue.length === 0 || this.#failed !== undefined) return;
    // Coalesce whole messages into one write of at most PIPE_BUF bytes.
    let count = 0;
    let bytes = 0;
    for (const b of this.#queue) {
      if (bytes + b.length > ATOMIC_WRITE_BYTES) break;
      bytes += b.length;
      count++;
    }
    const batch = this.#queue.splice(0, count);
    this.#queuedBytes -= bytes;
    this.#inFlight = true;
    this.#socket.write(
      batch.length === 1 ? batch[0]! : Buffer.concat(batch, bytes),
      this.#afterWrite,
    );
  }

  #fail(err: PipeToolError): void {
    if (this.#failed !== undefined || this.#closed) return;
    this.#failed = err;
    this.#queue = [];
    this.#queuedBytes = 0;
    this.#socket.destroy();
    this.#onError?.(err);
  }

  /**
   * Closes the writer. With `flush` (default true) it first waits, at most `timeoutMs`
   * (default 1000), for queued bytes to reach the pipe.
   */
  async close(options: { flush?: boolean; timeoutMs?: number } = {}): Promise<void> {
    if (this.#closed) return;
    if ((options.flush ?? true) && this.#failed === undefined) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.#flushed(),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, options.timeoutMs ?? 1000))),
      ]);
      clearTimeout(timer);
    }
    this.#closed = true;
    this.#queue = [];
    this.#socket.destroy();
  }

  async #flushed(): Promise<void> {
    while (this.#atomic && (this.#queue.length > 0 || this.#inFlight) && !this.dead) {
      // An empty write's callback runs once every earlier write has completed.
      await new Promise<void>((resolve) => this.#socket.write(Buffer.alloc(0), () => resolve()));
    }
    if (this.dead) return;
    await new Promise<void>((resolve) => this.#socket.write(Buffer.alloc(0), () => resolve()));
  }
}
