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
   * Called when a header is impossible (length over the limit). The decoder then drops what it
   * holds and resumes at the next chunk boundary, where an atomic write usually begins.
   */
  onError: (err: PipeToolError) => void;
}

/** Incremental decoder for {@link BinaryFrame}s. */
export class BinaryFrameDecoder {
  readonly #opts: BinaryFrameDecoderOptions;
  readonly #queue = new ByteQueue();
  readonly #header: number;

  constructor(options: BinaryFrameDecoderOptions) {
    this.#opts = options;
    this.#header = options.withSender ? 8 : 4;
  }

  /** Bytes held for an unfinished frame. */
  get buffered(): number {
    return this.#queue.length;
  }

  push(chunk: Buffer): void {
    this.#queue.push(chunk);
    const q = this.#queue;
    while (q.length >= this.#header) {
      const sender = this.#opts.withSender ? q.readUInt32BE(0) : undefined;
      const raw = q.readUInt32BE(this.#header - 4);
      const more = (raw & FRAGMENT_FLAG) !== 0;
      const length = raw & ~FRAGMENT_FLAG;
      if (length > this.#opts.maxFrameBytes) {
        q.clear();
        this.#opts.onError(
          new PipeToolError(
            "ETOOBIG",
            `binary frame of ${length} bytes exceeds the limit of ${this.#opts.maxFrameBytes}` +
              (sender === undefined ? "" : ` (sender ${sender})`),
          ),
        );
        return;
      }
      if (q.length < this.#header + length) return;
      q.skip(this.#header);
      this.#opts.onFrame({ sender, payload: q.take(length), more });
    }
  }

  /** Drops a partial frame (for example one whose writer stalled). */
  reset(): void {
    this.#queue.clear();
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
