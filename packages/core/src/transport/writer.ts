/**
 * Serialized, non-blocking writing to a FIFO.
 *
 * The writes of one event-loop tick are gathered and leave together at the end of the tick (or
 * as soon as 64 KiB have gathered): a burst of small messages costs one write(2). Each write is
 * first tried directly on the O_NONBLOCK descriptor; a write the pipe cannot take at once
 * (EAGAIN, or only part of it) is handed to a `net.Socket` on the same descriptor, which finishes
 * it when epoll says the pipe has room, and direct writes resume once it is done. Nothing ever
 * waits for the reader.
 *
 * In `atomic` mode (used on pipes that many processes share) every write(2) is at most
 * {@link ATOMIC_WRITE_BYTES} and holds whole messages, so the kernel never interleaves our bytes
 * with another writer's. Callers split larger messages into pieces first (framing/fragments,
 * framing/binary).
 *
 * What waits in memory is bounded in bytes and in messages: past either limit a write fails with
 * `ETOOBIG` and the writer reports overflow. `full` and `drained()` let a producer stop before
 * that (backpressure), and `stalledMs` tells how long waiting bytes have made no progress.
 */
import fs from "node:fs";
import net from "node:net";
import { PipeToolError } from "../errors.js";
import { ATOMIC_WRITE_BYTES } from "./paths.js";

/** Writes gathered in one tick leave early past this many bytes. */
const COALESCE_BYTES = 64 * 1024;

/** Options for {@link PipeWriter}. */
export interface PipeWriterOptions {
  /** Keep every write(2) within PIPE_BUF, each holding whole messages. Default false. */
  atomic?: boolean;
  /** Most bytes waiting in memory before writes fail [16 MiB]. Strings count their length. */
  maxQueuedBytes?: number;
  /** Most messages (calls to `write`) waiting in memory before writes fail [unbounded]. */
  maxQueuedMessages?: number;
  /** `full` is true from this many waiting bytes, and `drained()` waits [256 KiB]. */
  highWaterBytes?: number;
  /**
   * What a write past a limit does: `"fail"` (default) breaks the writer and reports it through
   * `onError` (a server drops a client that does not keep up); `"throw"` throws `ETOOBIG` from
   * that write and leaves the writer usable (a client refuses one oversized send).
   */
  overflow?: "fail" | "throw";
  /** Called once on the first write error (EPIPE when the reader is gone) or overflow. */
  onError?: (err: PipeToolError) => void;
}

type Chunk = Buffer | string;

const toBuffer = (c: Chunk): Buffer => (typeof c === "string" ? Buffer.from(c, "utf8") : c);

/** What of `batch` a write of `written` bytes left unwritten, as buffers (no copies). */
function remainder(batch: Chunk | Buffer[], written: number): Buffer[] {
  if (!Array.isArray(batch)) {
    if (typeof batch === "string") {
      // Short strings only (see takeBatch), so measuring or encoding one again is cheap.
      if (written >= Buffer.byteLength(batch)) return [];
      return [Buffer.from(batch, "utf8").subarray(written)];
    }
    return written >= batch.length ? [] : [batch.subarray(written)];
  }
  const out: Buffer[] = [];
  let skip = written;
  for (const b of batch) {
    if (skip >= b.length) {
      skip -= b.length;
      continue;
    }
    out.push(skip > 0 ? b.subarray(skip) : b);
    skip = 0;
  }
  return out;
}

/** A serialized writer on a FIFO fd. */
export class PipeWriter {
  readonly #fd: number;
  readonly #atomic: boolean;
  readonly #maxBytes: number;
  readonly #maxMessages: number;
  readonly #highWater: number;
  readonly #overflow: "fail" | "throw";
  readonly #onError: ((err: PipeToolError) => void) | undefined;
  #socket: net.Socket | undefined;
  #pending: Chunk[] = [];
  #pendingBytes = 0;
  #pendingMessages = 0;
  /** Bytes and messages handed to the socket and not yet written. */
  #socketBytes = 0;
  #socketMessages = 0;
  #scheduled = false;
  #lastProgress = Date.now();
  #drainWaiters: (() => void)[] = [];
  #failed: PipeToolError | undefined;
  #closed = false;
  readonly #flush = (): void => this.#write();

  constructor(fd: number, options: PipeWriterOptions = {}) {
    this.#fd = fd;
    this.#atomic = options.atomic ?? false;
    this.#maxBytes = options.maxQueuedBytes ?? 16 * 1024 * 1024;
    this.#maxMessages = options.maxQueuedMessages ?? Number.POSITIVE_INFINITY;
    this.#highWater = options.highWaterBytes ?? 256 * 1024;
    this.#overflow = options.overflow ?? "fail";
    this.#onError = options.onError;
  }

  /** Bytes accepted but not yet written to the pipe. */
  get queuedBytes(): number {
    return this.#pendingBytes + this.#socketBytes;
  }

  /** Messages accepted but not yet written to the pipe. */
  get queuedMessages(): number {
    return this.#pendingMessages + this.#socketMessages;
  }

  /** True when more than the high-water mark waits: a producer should await `drained()`. */
  get full(): boolean {
    return this.queuedBytes >= this.#highWater;
  }

  /** The error that broke this writer, if any. */
  get error(): PipeToolError | undefined {
    return this.#failed;
  }

  /** True once closed or failed. */
  get dead(): boolean {
    return this.#closed || this.#failed !== undefined;
  }

  /** How long bytes have been waiting without any reaching the pipe, in ms (0 when none wait). */
  stalledMs(now = Date.now()): number {
    return this.queuedBytes === 0 ? 0 : now - this.#lastProgress;
  }

  /** Resolves once at most half the high-water mark waits, or the writer is dead. */
  drained(): Promise<void> {
    if (this.dead || this.queuedBytes <= this.#highWater / 2) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  /**
   * Queues one message (a buffer, a string written as UTF-8, or a list of pieces), to be written
   * in order. In atomic mode each piece must be at most PIPE_BUF bytes. Returns false (and
   * reports an error once) when the writer is dead or over a limit; with `overflow: "throw"` a
   * write over a limit throws instead.
   */
  write(data: Chunk | readonly Chunk[]): boolean {
    if (this.#failed !== undefined || this.#closed) return false;
    const single = typeof data === "string" || Buffer.isBuffer(data);
    let bytes = 0;
    if (single) bytes = data.length;
    else for (const c of data) bytes += c.length;
    const queued = this.#pendingBytes + this.#socketBytes;
    if (queued + bytes > this.#maxBytes || this.queuedMessages >= this.#maxMessages) {
      const what =
        queued + bytes > this.#maxBytes
          ? `more than ${this.#maxBytes} bytes`
          : `more than ${this.#maxMessages} messages`;
      const err = new PipeToolError("ETOOBIG", `reader is not keeping up: ${what} queued for it`);
      if (this.#overflow === "throw") throw err;
      this.#fail(err);
      return false;
    }
    if (queued === 0) this.#lastProgress = Date.now();
    if (single) this.#push(data);
    else for (const c of data) this.#push(c);
    this.#pendingBytes += bytes;
    this.#pendingMessages++;
    if (this.#socketBytes > 0) return true; // the socket's callback writes the rest
    if (this.#pendingBytes >= COALESCE_BYTES) this.#write();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      process.nextTick(this.#flush);
    }
    return true;
  }

  #push(chunk: Chunk): void {
    // Atomic pieces are measured in bytes, so they are kept as buffers.
    const piece = this.#atomic ? toBuffer(chunk) : chunk;
    if (this.#atomic && piece.length > ATOMIC_WRITE_BYTES) {
      throw new RangeError(`atomic write of ${piece.length} bytes exceeds PIPE_BUF`);
    }
    this.#pending.push(piece);
  }

  /** Writes what is pending: directly while the pipe takes it, else through the socket. */
  #write(): void {
    this.#scheduled = false;
    while (this.#pending.length > 0 && this.#socketBytes === 0 && !this.dead) {
      const batch = this.#takeBatch();
      let written: number;
      try {
        written = Array.isArray(batch)
          ? fs.writevSync(this.#fd, batch)
          : fs.writeSync(this.#fd, batch as Buffer);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== "EAGAIN") return this.#failWith(err as NodeJS.ErrnoException);
        written = 0;
      }
      if (written > 0) this.#lastProgress = Date.now();
      const rest = remainder(batch, written);
      if (rest.length > 0) this.#toSocket(rest);
    }
    this.#wakeDrainWaiters();
  }

  /**
   * Takes the next write's worth of pending chunks off the queue: one string or buffer, or a list
   * of buffers for one writev(2) (large buffers are never copied together).
   */
  #takeBatch(): Chunk | Buffer[] {
    const pending = this.#pending;
    let count = 0;
    let bytes = 0;
    let strings = true;
    for (const c of pending) {
      if (this.#atomic && count > 0 && bytes + c.length > ATOMIC_WRITE_BYTES) break;
      bytes += c.length;
      if (typeof c !== "string") strings = false;
      count++;
    }
    const batch = count === pending.length ? pending : pending.slice(0, count);
    this.#pending = count === pending.length ? [] : pending.slice(count);
    this.#pendingBytes -= bytes;
    this.#pendingMessages = this.#pending.length === 0 ? 0 : this.#pendingMessages;
    let one: Chunk | undefined;
    if (count === 1) one = batch[0]!;
    else if (strings) one = (batch as string[]).join("");
    else if (this.#atomic) return Buffer.concat(batch.map(toBuffer));
    else return batch.map(toBuffer);
    // A long string is encoded once, here, so that a partial write needs no second encoding.
    return typeof one === "string" && one.length > COALESCE_BYTES ? Buffer.from(one, "utf8") : one;
  }

  #toSocket(rest: Buffer[]): void {
    const socket = (this.#socket ??= this.#openSocket());
    let bytes = 0;
    for (const b of rest) bytes += b.length;
    this.#socketBytes += bytes;
    this.#socketMessages++;
    socket.cork();
    for (let i = 0; i < rest.length - 1; i++) socket.write(rest[i]!);
    socket.write(rest[rest.length - 1]!, (err) => {
      this.#socketBytes -= bytes;
      this.#socketMessages--;
      if (err) return; // reported through the socket's 'error' event
      this.#lastProgress = Date.now();
      this.#write();
    });
    socket.uncork();
  }

  #openSocket(): net.Socket {
    const socket = new net.Socket({ fd: this.#fd, readable: false, writable: true });
    socket.on("error", (err: NodeJS.ErrnoException) => this.#failWith(err));
    return socket;
  }

  #failWith(err: NodeJS.ErrnoException): void {
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
  }

  #wakeDrainWaiters(): void {
    if (this.#drainWaiters.length === 0) return;
    if (!this.dead && this.queuedBytes > this.#highWater / 2) return;
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const resolve of waiters) resolve();
  }

  #fail(err: PipeToolError): void {
    if (this.#failed !== undefined || this.#closed) return;
    this.#failed = err;
    this.#release();
    this.#onError?.(err);
  }

  /** Drops what waits and closes the descriptor. */
  #release(): void {
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#pendingMessages = 0;
    if (this.#socket !== undefined) this.#socket.destroy();
    else fs.close(this.#fd, () => undefined);
    this.#socketBytes = 0;
    this.#wakeDrainWaiters();
  }

  /**
   * Closes the writer. With `flush` (default true) it first waits, at most `timeoutMs`
   * (default 1000), for waiting bytes to reach the pipe.
   */
  async close(options: { flush?: boolean; timeoutMs?: number } = {}): Promise<void> {
    if (this.#closed) return;
    if ((options.flush ?? true) && !this.dead) {
      if (this.#scheduled) this.#write();
      const deadline = Date.now() + (options.timeoutMs ?? 1000);
      while (this.queuedBytes > 0 && !this.dead && Date.now() < deadline) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
          const done = (): void => {
            clearTimeout(timer);
            resolve();
          };
          if (this.#socket !== undefined) this.#socket.write(Buffer.alloc(0), done);
          else setImmediate(done);
        });
        if (this.#socketBytes === 0) this.#write();
      }
    }
    if (this.#closed) return;
    const failed = this.#failed !== undefined;
    this.#closed = true;
    if (!failed) this.#release();
  }
}
