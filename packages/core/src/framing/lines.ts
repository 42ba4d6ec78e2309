/**
 * JSON-lines framing: one UTF-8 JSON object per `\n`-terminated line, with a size limit.
 */

const NEWLINE = 0x0a;

/** Options for {@link LineDecoder}. */
export interface LineDecoderOptions {
  /** Longest accepted line in bytes, newline excluded. Longer lines are dropped whole. */
  maxLineBytes: number;
  /** Called with each complete, non-blank line. */
  onLine: (line: string) => void;
  /**
   * Called once per dropped oversized line, with its size so far and its first bytes (which
   * usually name the sender).
   */
  onOversize: (info: { bytes: number; head: string }) => void;
}

/**
 * Splits a byte stream into lines. Partial lines are kept as a list of chunks and joined once,
 * when their newline arrives; a line past `maxLineBytes` is discarded up to its newline so memory
 * stays bounded whatever a peer sends.
 */
export class LineDecoder {
  readonly #opts: LineDecoderOptions;
  #parts: Buffer[] = [];
  #partBytes = 0;
  #discarding = false;
  #discardHead = "";
  #discarded = 0;

  constructor(options: LineDecoderOptions) {
    if (!Number.isInteger(options.maxLineBytes) || options.maxLineBytes < 1) {
      throw new TypeError(`maxLineBytes must be a positive integer, got ${options.maxLineBytes}`);
    }
    this.#opts = options;
  }

  /** Number of bytes held for an unfinished line. */
  get buffered(): number {
    return this.#partBytes;
  }

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(NEWLINE, start);
      if (nl === -1) {
        this.#keep(chunk, start, chunk.length);
        return;
      }
      this.#finish(chunk, start, nl);
      start = nl + 1;
    }
  }

  /** Drops any unfinished line (for example when its writer went away). */
  reset(): void {
    this.#parts = [];
    this.#partBytes = 0;
    this.#discarding = false;
    this.#discarded = 0;
  }

  #keep(chunk: Buffer, start: number, end: number): void {
    if (start === end) return;
    if (this.#discarding) {
      this.#discarded += end - start;
      return;
    }
    if (this.#partBytes + (end - start) > this.#opts.maxLineBytes) {
      this.#startDiscard(chunk.subarray(start, end));
      return;
    }
    this.#parts.push(chunk.subarray(start, end));
    this.#partBytes += end - start;
  }

  #startDiscard(tail: Buffer): void {
    const head = this.#parts.length > 0 ? this.#parts[0]! : tail;
    this.#discardHead = head.toString("utf8", 0, Math.min(head.length, 256));
    this.#discarded = this.#partBytes + tail.length;
    this.#discarding = true;
    this.#parts = [];
    this.#partBytes = 0;
  }

  #finish(chunk: Buffer, start: number, end: number): void {
    if (this.#discarding) {
      const bytes = this.#discarded + (end - start);
      this.#discarding = false;
      this.#discarded = 0;
      this.#opts.onOversize({ bytes, head: this.#discardHead });
      return;
    }
    let line: string;
    if (this.#parts.length === 0) {
      if (end - start > this.#opts.maxLineBytes) {
        this.#opts.onOversize({
          bytes: end - start,
          head: chunk.toString("utf8", start, Math.min(end, start + 256)),
        });
        return;
      }
      line = chunk.toString("utf8", start, end);
    } else {
      if (this.#partBytes + (end - start) > this.#opts.maxLineBytes) {
        this.#startDiscard(chunk.subarray(start, end));
        this.#finish(chunk, end, end);
        return;
      }
      this.#parts.push(chunk.subarray(start, end));
      line = Buffer.concat(this.#parts, this.#partBytes + (end - start)).toString("utf8");
      this.#parts = [];
      this.#partBytes = 0;
    }
    if (isBlank(line)) return;
    this.#opts.onLine(line);
  }
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
