/**
 * The server's side of the shared upstream data pipe: decodes frames, joins fragments per sender
 * id with bounded memory, and drops a frame that stalls half-way.
 */
import type { PipeToolError } from "../errors.js";
import { BinaryFrameDecoder } from "../framing/binary.js";

/** Options of {@link DataInbox}. */
export interface DataInboxOptions {
  /** Largest frame after joining fragments, in bytes. */
  maxFrameBytes: number;
  /** Called with each whole frame. */
  onFrame: (senderId: number, payload: Buffer) => void;
  /** Called with every problem (oversized, stalled, unknown sender...). */
  onProblem: (message: string) => void;
}

/** Decodes the upstream data pipe. */
export class DataInbox {
  readonly #opts: DataInboxOptions;
  readonly #decoder: BinaryFrameDecoder;
  readonly #partial = new Map<number, { parts: Buffer[]; bytes: number; touched: number }>();
  #lastProgress = Date.now();

  constructor(options: DataInboxOptions) {
    this.#opts = options;
    this.#decoder = new BinaryFrameDecoder({
      withSender: true,
      maxFrameBytes: options.maxFrameBytes,
      onFrame: ({ sender, payload, more }) => this.#onFragment(sender ?? 0, payload, more),
      onError: (err: PipeToolError) => options.onProblem(err.message),
    });
  }

  push(chunk: Buffer): void {
    this.#lastProgress = Date.now();
    this.#decoder.push(chunk);
  }

  #onFragment(sender: number, payload: Buffer, more: boolean): void {
    const open = this.#partial.get(sender);
    if (open === undefined && !more) {
      this.#opts.onFrame(sender, payload);
      return;
    }
    const entry = open ?? { parts: [], bytes: 0, touched: 0 };
    entry.parts.push(payload);
    entry.bytes += payload.length;
    entry.touched = Date.now();
    if (entry.bytes > this.#opts.maxFrameBytes) {
      this.#partial.delete(sender);
      this.#opts.onProblem(
        `binary frame from sender ${sender} exceeds the limit of ${this.#opts.maxFrameBytes} bytes`,
      );
      return;
    }
    if (more) {
      this.#partial.set(sender, entry);
      return;
    }
    this.#partial.delete(sender);
    this.#opts.onFrame(sender, Buffer.concat(entry.parts, entry.bytes));
  }

  /** Forgets a sender's unfinished frame. */
  dropSender(sender: number): void {
    this.#partial.delete(sender);
  }

  /** Drops frames that have not progressed for `staleMs`. */
  sweep(staleMs: number, now = Date.now()): void {
    if (this.#decoder.buffered > 0 && now - this.#lastProgress > staleMs) {
      this.#opts.onProblem(
        `dropped a truncated binary frame (${this.#decoder.buffered} bytes stalled)`,
      );
      this.#decoder.reset();
    }
    for (const [sender, entry] of this.#partial) {
      if (now - entry.touched > staleMs) {
        this.#partial.delete(sender);
        this.#opts.onProblem(`dropped an unfinished fragmented frame from sender ${sender}`);
      }
    }
  }
}
