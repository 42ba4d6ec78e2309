/**
 * WAV (RIFF, PCM) helpers: a streaming header parser for engines that emit WAV, and a file
 * writer that keeps the header valid after every flush.
 */
import type { FileHandle } from "node:fs/promises";
import { open } from "node:fs/promises";

/** Format read from a WAV header. */
export interface WavFormat {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
}

/**
 * Strips the RIFF header from a streamed WAV and passes on the sample bytes. Streaming writers
 * (espeak-ng `--stdout`) put a placeholder size in the header, so the `data` chunk is taken to
 * run to the end of the stream.
 */
export class WavStreamParser {
  #head: Buffer = Buffer.alloc(0);
  #format: WavFormat | undefined;
  #inData = false;

  /** The format, once the header has been read. */
  get format(): WavFormat | undefined {
    return this.#format;
  }

  /** Feeds bytes; returns the sample bytes they contain (possibly empty). */
  push(chunk: Uint8Array): Buffer {
    if (this.#inData) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.#head = Buffer.concat([this.#head, chunk]);
    if (this.#head.length < 12) return Buffer.alloc(0);
    if (
      this.#head.toString("latin1", 0, 4) !== "RIFF" ||
      this.#head.toString("latin1", 8, 12) !== "WAVE"
    ) {
      throw new Error("engine output is not a RIFF/WAVE stream");
    }
    let pos = 12;
    while (pos + 8 <= this.#head.length) {
      const id = this.#head.toString("latin1", pos, pos + 4);
      const size = this.#head.readUInt32LE(pos + 4);
      if (id === "data") {
        if (this.#format === undefined) throw new Error("WAV data chunk before its fmt chunk");
        this.#inData = true;
        const rest = this.#head.subarray(pos + 8);
        this.#head = Buffer.alloc(0);
        return rest;
      }
      if (pos + 8 + size > this.#head.length) break;
      if (id === "fmt ") {
        const tag = this.#head.readUInt16LE(pos + 8);
        if (tag !== 1) throw new Error(`WAV format tag ${tag} is not PCM`);
        this.#format = {
          channels: this.#head.readUInt16LE(pos + 10),
          sampleRate: this.#head.readUInt32LE(pos + 12),
          bitsPerSample: this.#head.readUInt16LE(pos + 22),
        };
      }
      pos += 8 + size + (size % 2);
    }
    if (this.#head.length > 4096) throw new Error("WAV header is too long");
    return Buffer.alloc(0);
  }
}

/** A 44-byte canonical WAV header for 16-bit PCM. */
export function wavHeader(sampleRate: number, channels: number, dataBytes: number): Buffer {
  const h = Buffer.alloc(44);
  h.write("RIFF", 0, "latin1");
  h.writeUInt32LE(Math.min(36 + dataBytes, 0xffffffff), 4);
  h.write("WAVE", 8, "latin1");
  h.write("fmt ", 12, "latin1");
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * channels * 2, 28);
  h.writeUInt16LE(channels * 2, 32);
  h.writeUInt16LE(16, 34);
  h.write("data", 36, "latin1");
  h.writeUInt32LE(Math.min(dataBytes, 0xffffffff - 36), 40);
  return h;
}

/**
 * Writes 16-bit mono PCM to a WAV file. Writes are queued in order; {@link sync} rewrites the
 * header so the file is a complete WAV after every spoken sentence.
 */
export class WavFileWriter {
  readonly path: string;
  readonly sampleRate: number;
  readonly #fh: FileHandle;
  #tail: Promise<void> = Promise.resolve();
  #bytes = 0;
  #error: Error | undefined;

  private constructor(path: string, sampleRate: number, fh: FileHandle) {
    this.path = path;
    this.sampleRate = sampleRate;
    this.#fh = fh;
  }

  /** Creates (truncates) `path` and writes an empty WAV header. */
  static async open(path: string, sampleRate: number): Promise<WavFileWriter> {
    const fh = await open(path, "w");
    await fh.write(wavHeader(sampleRate, 1, 0), 0, 44, 0);
    return new WavFileWriter(path, sampleRate, fh);
  }

  /** Bytes of samples written so far. */
  get dataBytes(): number {
    return this.#bytes;
  }

  /** Appends samples. */
  write(pcm: Uint8Array): void {
    if (pcm.byteLength === 0) return;
    const pos = 44 + this.#bytes;
    this.#bytes += pcm.byteLength;
    const copy = Buffer.from(pcm);
    this.#enqueue(async () => {
      await this.#fh.write(copy, 0, copy.length, pos);
    });
  }

  /** Rewrites the header with the current length; resolves when everything so far is on disk. */
  async sync(): Promise<void> {
    const header = wavHeader(this.sampleRate, 1, this.#bytes);
    this.#enqueue(async () => {
      await this.#fh.write(header, 0, 44, 0);
    });
    await this.#tail;
    if (this.#error !== undefined) throw this.#error;
  }

  /** Syncs and closes the file. */
  async close(): Promise<void> {
    try {
      await this.sync();
    } finally {
      await this.#fh.close();
    }
  }

  #enqueue(op: () => Promise<void>): void {
    this.#tail = this.#tail.then(op).catch((err: unknown) => {
      this.#error ??= err as Error;
    });
  }
}
