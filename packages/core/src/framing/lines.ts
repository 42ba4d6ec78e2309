/**
 * JSON-lines framing: one UTF-8 JSON object per `\n`-terminated line, with a size limit.
 */

import { StringDecoder } from "node:string_decoder";

const NEWLINE = 0x0a;

/** What the decoder knows about a line it dropped for its size. */
export interface OversizeInfo {
  /** Bytes of the line seen when it went over the limit. */
  bytes: number;
  /** Its first bytes (up to 256), which usually name the sender and the request id. */
  head: string;
}

/** Options for {@link LineDecoder}. */
export interface LineDecoderOptions {
  /** Longest accepted line in bytes, newline excluded. Longer lines are dropped whole. */
  maxLineBytes: number;
  /**
   * Called with each complete, non-blank line. A line that was assembled from several reads also
   * gets `pieces`: the line from each later read boundary where a `{` begins, earliest first. On
   * a pipe shared by writers whose writes are whole lines, a line that does not parse may be a
   * torn one with another writer's message glued on; `pieces` lets the reader find it.
   */
  onLine: (line: string, pieces?: () => string[]) => void;
  /** Called once per oversized line, as soon as it goes over the limit (the rest is skipped). */
  onOversize: (info: OversizeInfo) => void;
}

/** The unfinished line held by a {@link LineDecoder}. */
export interface PartialLine {
  /** Bytes held. */
  bytes: number;
  /** Its first bytes (up to 256). */
  head: string;
  /** When its first byte arrived (ms, `Date.now()`). */
  startedAt: number;
  /** When it last grew. */
  grewAt: number;
  /** True while the rest of an oversized line is being skipped. */
  skipping: boolean;
}

/**
 * Splits a byte stream into lines. Partial lines are decoded as they arrive (no copy of the bytes)
 * and joined once, when their newline arrives; a line past `maxLineBytes` is discarded up to its newline so memory
 * stays bounded whatever a peer sends. The decoder copies what it keeps of a chunk, so the caller
 * may reuse the chunk's memory once `push` returns.
 */
export class LineDecoder {
  readonly #opts: LineDecoderOptions;
  #max: number;
  /** The unfinished line, decoded piece by piece as it arrives (one piece per read). */
  #parts: string[] = [];
  readonly #decoder = new StringDecoder("utf8");
  #partBytes = 0;
  #discarding = false;
  #head = "";
  #startedAt = 0;
  #grewAt = 0;

  constructor(options: LineDecoderOptions) {
    if (!Number.isInteger(options.maxLineBytes) || options.maxLineBytes < 1) {
      throw new TypeError(`maxLineBytes must be a positive integer, got ${options.maxLineBytes}`);
    }
    this.#opts = options;
    this.#max = options.maxLineBytes;
  }

  /** The longest accepted line, in bytes. */
  get limit(): number {
    return this.#max;
  }

  /** Changes the longest accepted line (for lines not yet begun). */
  setLimit(maxLineBytes: number): void {
    this.#max = maxLineBytes;
  }

  /** Number of bytes held for an unfinished line. */
  get buffered(): number {
    return this.#partBytes;
  }

  /** The unfinished line, if any (an oversized one being skipped counts). */
  partial(): PartialLine | undefined {
    if (this.#partBytes === 0 && !this.#discarding) return undefined;
    return {
      bytes: this.#partBytes,
      head: this.#head,
      startedAt: this.#startedAt,
      grewAt: this.#grewAt,
      skipping: this.#discarding,
    };
  }

  push(chunk: Buffer): void {
    const first = chunk.indexOf(NEWLINE);
    if (first === -1) return this.#keep(chunk, 0, chunk.length);
    let start = 0;
    if (this.#parts.length > 0 || this.#discarding) {
      this.#finish(chunk, 0, first);
      start = first + 1;
    }
    const last = chunk.lastIndexOf(NEWLINE);
    if (last >= start) this.#whole(chunk.toString("utf8", start, last));
    this.#keep(chunk, last + 1, chunk.length);
  }

  /**
   * Handles lines that arrived whole, decoded at once (a newline byte never occurs inside a
   * multi-byte UTF-8 sequence, so splitting the decoded text at "\n" is safe).
   */
  #whole(text: string): void {
    let start = 0;
    for (;;) {
      const nl = text.indexOf("\n", start);
      const line = nl === -1 ? text.slice(start) : text.slice(start, nl);
      this.#one(line);
      if (nl === -1) return;
      start = nl + 1;
    }
  }

  #one(line: string): void {
    if (
      line.length > this.#max ||
      (line.length * 3 > this.#max && Buffer.byteLength(line) > this.#max)
    ) {
      this.#opts.onOversize({ bytes: Buffer.byteLength(line), head: line.slice(0, 256) });
      return;
    }
    if (line.length > 0 && !isBlank(line)) this.#opts.onLine(line);
  }

  /** Drops any unfinished line, and stops skipping an oversized one. */
  reset(): void {
    this.#parts = [];
    this.#partBytes = 0;
    this.#discarding = false;
    this.#decoder.end();
  }

  #keep(chunk: Buffer, start: number, end: number): void {
    if (start === end) return;
    const now = Date.now();
    this.#grewAt = now;
    if (this.#discarding) return;
    if (this.#partBytes === 0) {
      this.#startedAt = now;
      this.#head = chunk.toString("utf8", start, Math.min(end, start + 256));
    }
    if (this.#partBytes + (end - start) > this.#max) {
      this.#startDiscard(end - start);
      return;
    }
    this.#parts.push(this.#decoder.write(chunk.subarray(start, end)));
    this.#partBytes += end - start;
  }

  #startDiscard(more: number): void {
    const bytes = this.#partBytes + more;
    this.#discarding = true;
    this.#parts = [];
    this.#partBytes = 0;
    this.#decoder.end();
    this.#opts.onOversize({ bytes, head: this.#head });
  }

  #finish(chunk: Buffer, start: number, end: number): void {
    if (this.#discarding) {
      this.#discarding = false;
      return;
    }
    if (this.#partBytes + (end - start) > this.#max) {
      this.#startDiscard(end - start);
      this.#discarding = false;
      return;
    }
    const parts = this.#parts;
    parts.push(this.#decoder.end(chunk.subarray(start, end)));
    const line = parts.join("");
    this.#parts = [];
    this.#partBytes = 0;
    if (isBlank(line)) return;
    this.#opts.onLine(line, () => laterPieces(parts));
  }
}

/** The line from each later part that starts with `{`, earliest first. */
function laterPieces(parts: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 1; i < parts.length; i++) {
    if (parts[i]!.startsWith("{")) out.push(parts.slice(i).join(""));
  }
  return out;
}

function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
  }
  return true;
}

/** Encodes one message as a JSON line. */
export function encodeLine(message: object): Buffer {
  return Buffer.from(JSON.stringify(message) + "\n", "utf8");
}
