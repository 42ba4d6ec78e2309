/**
 * The server's side of the shared upstream data pipe: decodes frames, joins fragments per sender
 * id with bounded memory (per sender and in total), refuses frames of senders that are not
 * subscribed, and drops an unfinished frame that expires.
 */
import { BinaryFrameDecoder, FrameJoiner } from "../framing/binary.js";

/** Options of {@link DataInbox}. */
export interface DataInboxOptions {
  /** Largest frame after joining fragments, in bytes. */
  maxFrameBytes: number;
  /** Most bytes held for unfinished frames of all senders together. */
  maxHeldBytes: number;
  /** Whether `senderId` names a subscriber with a data channel. */
  known: (senderId: number) => boolean;
  /** Whether the subscriber behind `senderId` is alive (its unfinished frame is kept while it sends). */
  live: (senderId: number) => boolean;
  /** Called with each whole frame. */
  onFrame: (senderId: number, payload: Buffer) => void;
  /** Called with every problem (oversized, stalled, unknown sender...). */
  onProblem: (message: string) => void;
}

interface Joining {
  joiner: FrameJoiner;
  startedAt: number;
  grewAt: number;
}

/** Decodes the shared upstream data pipe. */
export class DataInbox {
  readonly #opts: DataInboxOptions;
  readonly #decoder: BinaryFrameDecoder;
  readonly #partial = new Map<number, Joining>();
  #held = 0;

  constructor(options: DataInboxOptions) {
    this.#opts = options;
    this.#decoder = new BinaryFrameDecoder({
      withSender: true,
      maxFrameBytes: options.maxFrameBytes,
      accept: options.known,
      onFrame: ({ sender, payload, more }) => this.#onPiece(sender ?? 0, payload, more),
      onError: (err) => options.onProblem(err.message),
    });
  }

  /** Bytes held for unfinished frames (in the decoder and in joined fragments). */
  get held(): number {
    return this.#held + this.#decoder.buffered;
  }

  /** Feeds bytes read from the pipe (a buffer of its own: it is kept). */
  push(chunk: Buffer): void {
    this.#decoder.push(chunk);
  }

  #onPiece(sender: number, payload: Buffer, more: boolean): void {
    let entry = this.#partial.get(sender);
    if (entry === undefined && !more) {
      this.#opts.onFrame(sender, payload);
      return;
    }
    const now = Date.now();
    if (entry === undefined) {
      entry = { joiner: new FrameJoiner(this.#opts.maxFrameBytes), startedAt: now, grewAt: now };
      this.#partial.set(sender, entry);
    }
    if (more && this.#held + payload.length > this.#opts.maxHeldBytes) {
      this.#drop(sender, `over the limit of ${this.#opts.maxHeldBytes} bytes held for all senders`);
      return;
    }
    const before = entry.joiner.buffered;
    const result = entry.joiner.add(payload, more);
    entry.grewAt = now;
    this.#held += entry.joiner.buffered - before;
    if (result === undefined) return;
    this.#partial.delete(sender);
    if (result instanceof Error) {
      this.#opts.onProblem(`binary frame from sender ${sender}: ${result.message}`);
    } else this.#opts.onFrame(sender, result);
  }

  #drop(sender: number, why: string): void {
    const entry = this.#partial.get(sender);
    if (entry === undefined) return;
    this.#held -= entry.joiner.buffered;
    this.#partial.delete(sender);
    this.#opts.onProblem(`dropped an unfinished frame from sender ${sender}: ${why}`);
  }

  /** Forgets a sender's unfinished frame. */
  dropSender(sender: number): void {
    const entry = this.#partial.get(sender);
    if (entry === undefined) return;
    this.#held -= entry.joiner.buffered;
    this.#partial.delete(sender);
  }

  /**
   * Drops unfinished frames older than `staleMs` (from their first byte), except those of a live
   * subscriber that is still sending them.
   */
  sweep(staleMs: number, now = Date.now()): void {
    const expired = (p: { sender: number | undefined; startedAt: number; grewAt: number }) =>
      now - p.startedAt > staleMs &&
      (p.sender === undefined || !this.#opts.live(p.sender) || now - p.grewAt > staleMs);
    const cut = this.#decoder.partial();
    if (cut !== undefined && expired(cut)) {
      this.#opts.onProblem(
        `dropped a truncated binary frame (${this.#decoder.buffered} bytes stalled)`,
      );
      this.#decoder.reset();
    }
    for (const [sender, entry] of this.#partial) {
      if (expired({ sender, ...entry })) this.#drop(sender, "it stalled");
    }
  }
}
