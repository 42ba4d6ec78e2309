/**
 * Audio that clients stream on the binary data channel: one path (VAD + engine) per client,
 * in the format the client declared (default 16 kHz mono s16le).
 */
import type { Sender } from "named-pipe-tools";
import { Resampler, downmix } from "./audio/pcm.js";
import { SttError } from "./errors.js";

/** Sample encodings clients may stream. */
export type DataEncoding = "s16le" | "f32le";

/** A client's declared audio format. */
export interface DataFormat {
  /** Sample rate, Hz [16,000]. */
  rate: number;
  /** Interleaved channels, averaged to mono [1]. */
  channels: number;
  /** Sample encoding ["s16le"]. */
  encoding: DataEncoding;
}

/** The format assumed until a client declares another. */
export const DEFAULT_DATA_FORMAT: DataFormat = { rate: 16_000, channels: 1, encoding: "s16le" };

/** Turns one client's frames (any size, split anywhere) into 16 kHz mono samples. */
export class DataDecoder {
  readonly format: DataFormat;
  readonly #resampler: Resampler;
  readonly #frameBytes: number;
  #rest: Buffer = Buffer.alloc(0);

  constructor(format: DataFormat) {
    if (!Number.isInteger(format.rate) || format.rate < 8000 || format.rate > 192_000) {
      throw new SttError(
        "EUSAGE",
        `rate must be an integer from 8000 to 192000 Hz, got ${format.rate}`,
      );
    }
    if (!Number.isInteger(format.channels) || format.channels < 1 || format.channels > 8) {
      throw new SttError("EUSAGE", `channels must be 1-8, got ${format.channels}`);
    }
    this.format = format;
    this.#resampler = new Resampler(format.rate);
    this.#frameBytes = (format.encoding === "f32le" ? 4 : 2) * format.channels;
  }

  /** Decodes the next bytes; a partial sample frame is kept for the next call. */
  push(bytes: Buffer): Int16Array {
    const all = this.#rest.length === 0 ? bytes : Buffer.concat([this.#rest, bytes]);
    const usable = all.length - (all.length % this.#frameBytes);
    this.#rest = Buffer.from(all.subarray(usable));
    const width = this.format.encoding === "f32le" ? 4 : 2;
    const samples = new Int16Array(usable / width);
    for (let i = 0; i < samples.length; i++) {
      samples[i] =
        width === 2
          ? all.readInt16LE(i * 2)
          : Math.max(-32768, Math.min(32767, Math.round(all.readFloatLE(i * 4) * 32767)));
    }
    return this.#resampler.push(downmix(samples, this.format.channels));
  }
}

/** The `source` name of a data-channel client in events. */
export function dataSourceName(sender: Sender): string {
  return `data:${sender.key}`;
}
