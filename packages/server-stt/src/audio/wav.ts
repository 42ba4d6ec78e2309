/**
 * Reads WAV files (PCM 8/16/24/32-bit or float32, any rate, any channel count) into 16 kHz
 * mono s16 samples.
 */
import { readFile } from "node:fs/promises";
import { SttError } from "../errors.js";
import { toSpeechRate } from "./pcm.js";

/** A decoded WAV header. */
export interface WavFormat {
  /** 1 = integer PCM, 3 = IEEE float. */
  format: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
}

const bad = (why: string): SttError =>
  new SttError("EBADAUDIO", `not a WAV file we can read: ${why}`);

/** Parses a WAV file's bytes into its format and its interleaved samples as s16. */
export function parseWav(bytes: Buffer): { format: WavFormat; samples: Int16Array } {
  if (
    bytes.length < 12 ||
    bytes.toString("ascii", 0, 4) !== "RIFF" ||
    bytes.toString("ascii", 8, 12) !== "WAVE"
  ) {
    throw bad("no RIFF/WAVE header");
  }
  let fmt: WavFormat | undefined;
  let offset = 12;
  while (offset + 8 <= bytes.length) {
    const id = bytes.toString("ascii", offset, offset + 4);
    const size = bytes.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === "fmt ") {
      if (size < 16) throw bad("short fmt chunk");
      let format = bytes.readUInt16LE(body);
      if (format === 0xfffe && size >= 26) format = bytes.readUInt16LE(body + 24);
      fmt = {
        format,
        channels: bytes.readUInt16LE(body + 2),
        sampleRate: bytes.readUInt32LE(body + 4),
        bitsPerSample: bytes.readUInt16LE(body + 14),
      };
    } else if (id === "data") {
      if (fmt === undefined) throw bad("data before fmt");
      // Streamed WAVs (espeak-ng --stdout) carry a placeholder size: read to the end.
      const end = Math.min(bytes.length, body + size);
      return { format: fmt, samples: decodeSamples(bytes.subarray(body, end), fmt) };
    }
    offset = body + size + (size % 2);
  }
  throw bad("no data chunk");
}

function decodeSamples(data: Buffer, fmt: WavFormat): Int16Array {
  if (fmt.channels < 1 || fmt.sampleRate < 1000)
    throw bad(`${fmt.channels} channels at ${fmt.sampleRate} Hz`);
  const width = fmt.bitsPerSample / 8;
  const count = Math.floor(data.length / width);
  const out = new Int16Array(count);
  const clamp = (v: number): number => Math.max(-32768, Math.min(32767, Math.round(v)));
  if (fmt.format === 3 && width === 4) {
    for (let i = 0; i < count; i++) out[i] = clamp(data.readFloatLE(i * 4) * 32767);
  } else if (fmt.format === 1 && width === 2) {
    for (let i = 0; i < count; i++) out[i] = data.readInt16LE(i * 2);
  } else if (fmt.format === 1 && width === 1) {
    for (let i = 0; i < count; i++) out[i] = ((data[i] ?? 128) - 128) << 8;
  } else if (fmt.format === 1 && (width === 3 || width === 4)) {
    for (let i = 0; i < count; i++) out[i] = data.readIntLE(i * width + width - 2, 2);
  } else {
    throw bad(`unsupported encoding (format ${fmt.format}, ${fmt.bitsPerSample} bits)`);
  }
  return out;
}

/** Reads a WAV file and returns 16 kHz mono s16 samples. */
export async function readWavFile(path: string): Promise<Int16Array> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "EIO";
    throw new SttError("EBADAUDIO", `cannot read audio file '${path}' (${code})`, { cause: err });
  }
  const { format, samples } = parseWav(bytes);
  return toSpeechRate(samples, format.sampleRate, format.channels);
}

/** Encodes 16 kHz mono s16 samples as a WAV file. */
export function encodeWav(samples: Int16Array, sampleRate = 16_000): Buffer {
  const header = Buffer.alloc(44);
  header.write("RIFF", 0, "ascii");
  header.writeUInt32LE(36 + samples.length * 2, 4);
  header.write("WAVEfmt ", 8, "ascii");
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write("data", 36, "ascii");
  header.writeUInt32LE(samples.length * 2, 40);
  const body = Buffer.from(samples.buffer, samples.byteOffset, samples.length * 2);
  return Buffer.concat([header, body]);
}
