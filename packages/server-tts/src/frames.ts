/**
 * Audio frames on the binary data channel (see PROTOCOL.md, "TTS audio frames"). Each frame
 * payload is a 16-byte header followed by PCM, 16-bit signed little-endian, mono:
 *
 * | offset | size | field |
 * |---|---|---|
 * | 0 | u32 BE | speech id (as in `speech_start` / `speech_end`) |
 * | 4 | u32 BE | sequence number of the frame within its speech, from 0 |
 * | 8 | u32 BE | sample rate, Hz |
 * | 12 | u8 | flags: 1 = last frame of the speech, 2 = the speech was cut short (cancelled) |
 * | 13 | u8 | channels (1) |
 * | 14 | u16 BE | reserved, 0 |
 */

/** Size of the frame header, in bytes. */
export const FRAME_HEADER_BYTES = 16;
/** Flag: the last frame of its speech (its PCM may be empty). */
export const FLAG_END = 1;
/** Flag: the speech was cut short (set together with {@link FLAG_END}). */
export const FLAG_CANCELLED = 2;

/** A decoded audio frame. */
export interface AudioFrame {
  /** Speech id, as in `speech_start` / `speech_end`. */
  speechId: number;
  /** Sequence number within the speech, from 0, without gaps. */
  seq: number;
  /** Sample rate in Hz. */
  sampleRate: number;
  /** Channels (always 1). */
  channels: number;
  /** Whether this is the last frame of its speech. */
  end: boolean;
  /** Whether the speech was cancelled (only on the last frame). */
  cancelled: boolean;
  /** Samples, s16le (a view into the payload). */
  pcm: Buffer;
}

/** Builds one frame payload. */
export function encodeFrame(
  speechId: number,
  seq: number,
  sampleRate: number,
  pcm: Uint8Array,
  flags = 0,
): Buffer {
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + pcm.byteLength);
  out.writeUInt32BE(speechId >>> 0, 0);
  out.writeUInt32BE(seq >>> 0, 4);
  out.writeUInt32BE(sampleRate >>> 0, 8);
  out.writeUInt8(flags, 12);
  out.writeUInt8(1, 13);
  out.writeUInt16BE(0, 14);
  out.set(pcm, FRAME_HEADER_BYTES);
  return out;
}

/** Decodes a frame payload; undefined when it is too short to be one. */
export function decodeFrame(payload: Buffer): AudioFrame | undefined {
  if (payload.length < FRAME_HEADER_BYTES) return undefined;
  const flags = payload.readUInt8(12);
  return {
    speechId: payload.readUInt32BE(0),
    seq: payload.readUInt32BE(4),
    sampleRate: payload.readUInt32BE(8),
    channels: payload.readUInt8(13),
    end: (flags & FLAG_END) !== 0,
    cancelled: (flags & FLAG_CANCELLED) !== 0,
    pcm: payload.subarray(FRAME_HEADER_BYTES),
  };
}

/**
 * Cuts a stream of PCM chunks of any length into frames of exactly `frameBytes` (the last one
 * may be shorter). Keeps whole samples: an odd trailing byte waits for the next chunk.
 */
export class FrameChunker {
  readonly frameBytes: number;
  #pending: Buffer = Buffer.alloc(0);

  constructor(frameSamples: number) {
    this.frameBytes = frameSamples * 2;
  }

  /** Adds samples; returns the full frames now available. */
  push(chunk: Uint8Array): Buffer[] {
    this.#pending =
      this.#pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.#pending, chunk]);
    const out: Buffer[] = [];
    let pos = 0;
    while (this.#pending.length - pos >= this.frameBytes) {
      out.push(this.#pending.subarray(pos, pos + this.frameBytes));
      pos += this.frameBytes;
    }
    this.#pending = this.#pending.subarray(pos);
    return out;
  }

  /** Returns the last, shorter frame (whole samples only), if any. */
  flush(): Buffer | undefined {
    const whole = this.#pending.length - (this.#pending.length % 2);
    const rest = this.#pending.subarray(0, whole);
    this.#pending = Buffer.alloc(0);
    return rest.length > 0 ? rest : undefined;
  }
}
