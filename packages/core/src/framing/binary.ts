/**
 * Binary frames for the data channel.
 *
 * Upstream (every client to the server): `[u32 BE sender id][u32 BE length][payload]`.
 * Downstream (server to one client): `[u32 BE length][payload]`.
 * The top bit of the length field, never set by the reference (whose frames are far below
 * 2 GiB), marks a fragment: more fragments of the same frame follow from the same sender.
 */
import { PipeToolError } from "../errors.js";
import { ByteQueue } from "./byte-queue.js";

/** Top bit of the length field: "more fragments follow". */
export const FRAGMENT_FLAG = 0x80000000;

/** One decoded frame or fragment. */
export interface BinaryFrame {
  /** Sender id from the upstream header; `undefined` on downstream frames. */
  sender: number | undefined;
  payload: Buffer;
  /** True when more fragments of this frame follow. */
  more: boolean;
}

/** Options for {@link BinaryFrameDecoder}. */
export interface BinaryFrameDecoderOptions {
  /** `true` for upstream frames (with a sender id), `false` for downstream frames. */
  withSender: boolean;
  /** Largest accepted payload of one frame or fragment, in bytes. */
  maxFrameBytes: number;
  onFrame: (frame: BinaryFrame) => void;
  /**
   * Called when a header is impossible (length over the limit, or refused by `accept`). The
   * decoder then drops what it holds and resumes at the next chunk boundary, where an atomic
   * write usually begins.
   */
  onError: (err: PipeToolError) => void;
  /**
   * Checks an upstream header's sender before its payload is awaited (for example: is it a
   * subscriber?). A refused frame that is already whole is skipped; one whose payload is still
   * to come means the stream cannot be trusted, so the decoder resynchronizes.
   */
  accept?: (sender: number) => boolean;
}

/** Incremental decoder for {@link BinaryFrame}s. */
export class BinaryFrameDecoder {
  readonly #opts: BinaryFrameDecoderOptions;
  readonly #queue = new ByteQueue();
  readonly #header: number;
  #startedAt = 0;
  #grewAt = 0;

  constructor(options: BinaryFrameDecoderOptions) {
    this.#opts = options;
    this.#header = options.withSender ? 8 : 4;
  }

  /** Bytes held for an unfinished frame. */
  get buffered(): number {
    return this.#queue.length;
  }

  /** The unfinished frame, if any: its sender, when it began and when it last grew (ms). */
  partial(): { sender: number | undefined; startedAt: number; grewAt: number } | undefined {
    if (this.#queue.length === 0) return undefined;
    const sender =
      this.#opts.withSender && this.#queue.length >= 4 ? this.#queue.readUInt32BE(0) : undefined;
    return { sender, startedAt: this.#startedAt, grewAt: this.#grewAt };
  }

  /** Feeds bytes (kept by reference: hand over a buffer that is not reused). */
  push(chunk: Buffer): void {
    const now = Date.now();
    if (this.#queue.length === 0) this.#startedAt = now;
    this.#grewAt = now;
    this.#queue.push(chunk);
    const q = this.#queue;
    while (q.length >= this.#header) {
      const sender = this.#opts.withSender ? q.readUInt32BE(0) : undefined;
      const raw = q.readUInt32BE(this.#header - 4);
      const more = (raw & FRAGMENT_FLAG) !== 0;
      const length = raw & ~FRAGMENT_FLAG;
      if (length > this.#opts.maxFrameBytes) {
        return this.#resync(
          `binary frame of ${length} bytes exceeds the limit of ${this.#opts.maxFrameBytes}` +
            (sender === undefined ? "" : ` (sender ${sender})`),
        );
      }
      const whole = q.length >= this.#header + length;
      if (sender !== undefined && this.#opts.accept?.(sender) === false) {
        if (!whole) {
          this.#skipToHeader();
          this.#opts.onError(
            new PipeToolError("EPROTO", `skipped a binary frame from unknown sender ${sender}`),
          );
          continue;
        }
        q.skip(this.#header + length);
        this.#opts.onError(
          new PipeToolError(
            "EPROTO",
            `dropped a ${length}-byte frame from unknown sender ${sender}`,
          ),
        );
        continue;
      }
      if (!whole) return;
      q.skip(this.#header);
      this.#opts.onFrame({ sender, payload: q.take(length), more });
      this.#startedAt = now;
    }
  }

  #resync(message: string): void {
    this.#queue.clear();
    this.#opts.onError(new PipeToolError("ETOOBIG", message));
  }

  /**
   * Drops bytes up to the next place a plausible header begins (a sender `accept` takes, and a
   * length within the limit): after a header that cannot be trusted, the frames of everyone
   * else that follow it are found again instead of being swallowed as its payload.
   */
  #skipToHeader(): void {
    const q = this.#queue;
    const accept = this.#opts.accept!;
    let at = 1;
    for (; at + this.#header <= q.length; at++) {
      const length = q.readUInt32BE(at + 4) & ~FRAGMENT_FLAG;
      if (length <= this.#opts.maxFrameBytes && accept(q.readUInt32BE(at))) break;
    }
    q.skip(Math.min(at, q.length));
  }

  /** Drops a partial frame (for example one whose writer stalled). */
  reset(): void {
    this.#queue.clear();
  }
}

/**
 * Joins the fragments of one sender's frames (pieces marked "more follow"), with a bound on
 * the joined size.
 */
export class FrameJoiner {
  readonly #maxBytes: number;
  #parts: Buffer[] = [];
  #bytes = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** Bytes held for an unfinished frame. */
  get buffered(): number {
    return this.#bytes;
  }

  /**
   * Adds one piece. Returns the whole frame when `more` is false, undefined while pieces are
   * missing, or an error (and drops what it held) past the bound.
   */
  add(payload: Buffer, more: boolean): Buffer | PipeToolError | undefined {
    if (!more && this.#parts.length === 0) return payload;
    this.#bytes += payload.length;
    if (this.#bytes > this.#maxBytes) {
      const bytes = this.#bytes;
      this.reset();
      return new PipeToolError(
        "ETOOBIG",
        `binary frame of more than ${bytes - payload.length} bytes exceeds the limit of ${this.#maxBytes}`,
      );
    }
    this.#parts.push(payload);
    if (more) return undefined;
    const whole = Buffer.concat(this.#parts, this.#bytes);
    this.reset();
    return whole;
  }

  /** Drops an unfinished frame. */
  reset(): void {
    this.#parts = [];
    this.#bytes = 0;
  }
}

/** Encodes a downstream frame header + payload. */
export function encodeDownstreamFrame(payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(4 + payload.length);
  out.writeUInt32BE(payload.length, 0);
  out.set(payload, 4);
  return out;
}

/**
 * Encodes an upstream frame, split into fragments whose encoded size is at most `maxWrite` bytes
 * each, so every fragment can be written atomically to a shared pipe.
 */
export function encodeUpstreamFrames(
  sender: number,
  payload: Uint8Array,
  maxWrite: number,
): Buffer[] {
  const room = maxWrite - 8;
  const out: Buffer[] = [];
  let offset = 0;
  do {
    const n = Math.min(room, payload.length - offset);
    const more = offset + n < payload.length;
    const buf = Buffer.allocUnsafe(8 + n);
    buf.writeUInt32BE(sender >>> 0, 0);
    buf.writeUInt32BE((n | (more ? FRAGMENT_FLAG : 0)) >>> 0, 4);
    buf.set(payload.subarray(offset, offset + n), 8);
    out.push(buf);
    offset += n;
  } while (offset < payload.length);
  return out;
}
