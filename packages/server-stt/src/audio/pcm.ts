/**
 * PCM helpers: the server works on 16 kHz mono signed 16-bit samples throughout.
 */

/** The sample rate every engine and the VAD receive, in Hz. */
export const SAMPLE_RATE = 16_000;

/**
 * Reads little-endian s16 samples from bytes (copying, so the result is aligned and owned).
 * A trailing odd byte is ignored; callers that stream keep it for the next chunk.
 */
export function s16leToSamples(bytes: Uint8Array): Int16Array {
  const count = Math.floor(bytes.length / 2);
  const out = new Int16Array(count);
  const view = new DataView(bytes.buffer, bytes.byteOffset, count * 2);
  for (let i = 0; i < count; i++) out[i] = view.getInt16(i * 2, true);
  return out;
}

/** Writes samples as little-endian s16 bytes. */
export function samplesToS16le(samples: Int16Array): Buffer {
  const out = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) out.writeInt16LE(samples[i] ?? 0, i * 2);
  return out;
}

/** Averages interleaved channels into one. */
export function downmix(samples: Int16Array, channels: number): Int16Array {
  if (channels === 1) return samples;
  const frames = Math.floor(samples.length / channels);
  const out = new Int16Array(frames);
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += samples[f * channels + c] ?? 0;
    out[f] = Math.round(sum / channels);
  }
  return out;
}

/**
 * Streaming windowed-sinc resampler to {@link SAMPLE_RATE}. The low-pass matters: plain
 * interpolation aliases high frequencies into the speech band and costs recognition accuracy.
 * It holds back about 1 ms of input until more arrives (or `flush()`).
 */
export class Resampler {
  readonly #step: number;
  readonly #cutoff: number;
  readonly #half: number;
  #buf: Float32Array;
  #pos: number;

  /** @param fromRate input rate in Hz (8,000-192,000) */
  constructor(readonly fromRate: number) {
    this.#step = fromRate / SAMPLE_RATE;
    this.#cutoff = Math.min(1, SAMPLE_RATE / fromRate) * 0.92;
    this.#half = Math.ceil(12 / this.#cutoff);
    // Zeros before the first sample give the kernel its left context.
    this.#buf = new Float32Array(this.#half);
    this.#pos = this.#half;
  }

  /** Resamples the next chunk. */
  push(input: Int16Array): Int16Array {
    if (this.fromRate === SAMPLE_RATE) return input;
    const buf = new Float32Array(this.#buf.length + input.length);
    buf.set(this.#buf);
    buf.set(input, this.#buf.length);
    const out: number[] = [];
    const half = this.#half;
    const fc = this.#cutoff;
    while (this.#pos + half < buf.length) {
      const p = this.#pos;
      let acc = 0;
      for (let k = Math.ceil(p - half); k <= Math.floor(p + half); k++) {
        const x = p - k;
        const sinc = x === 0 ? 1 : Math.sin(Math.PI * fc * x) / (Math.PI * fc * x);
        const window = 0.5 + 0.5 * Math.cos((Math.PI * x) / half);
        acc += (buf[k] ?? 0) * fc * sinc * window;
      }
      out.push(Math.max(-32768, Math.min(32767, Math.round(acc))));
      this.#pos += this.#step;
    }
    const keep = Math.max(0, Math.floor(this.#pos - half) - 1);
    this.#buf = buf.slice(keep);
    this.#pos -= keep;
    return Int16Array.from(out);
  }

  /** Returns the held-back tail (the input is over). */
  flush(): Int16Array {
    if (this.fromRate === SAMPLE_RATE) return new Int16Array(0);
    return this.push(new Int16Array(this.#half + Math.ceil(this.#step)));
  }
}

/** Converts a whole buffer of interleaved samples at any rate to 16 kHz mono. */
export function toSpeechRate(samples: Int16Array, rate: number, channels: number): Int16Array {
  if (rate === SAMPLE_RATE) return downmix(samples, channels);
  const r = new Resampler(rate);
  const body = r.push(downmix(samples, channels));
  const tail = r.flush();
  const out = new Int16Array(body.length + tail.length);
  out.set(body);
  out.set(tail, body.length);
  // The flush pads with zeros: trim to the exact converted length.
  return out.subarray(0, Math.round((samples.length / channels / rate) * SAMPLE_RATE));
}

/** Joins sample chunks into one array. */
export function concatSamples(parts: readonly Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
