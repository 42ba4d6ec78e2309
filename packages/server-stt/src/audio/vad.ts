/**
 * Voice activity detection: WebRTC VAD (libfvad compiled to WASM) on 30 ms frames, turned into
 * utterances by an onset / offset hysteresis with pre-roll.
 */
import fvadModule from "@echogarden/fvad-wasm";
import { SAMPLE_RATE, concatSamples } from "./pcm.js";

/** Samples per VAD frame (30 ms at 16 kHz; libfvad accepts 10, 20 or 30 ms). */
export const VAD_FRAME = 480;
const FRAME_MS = (VAD_FRAME / SAMPLE_RATE) * 1000;

/** Settings of {@link VadSegmenter}. */
export interface VadOptions {
  /** Speech needed to start an utterance, in ms [90]. */
  onsetMs?: number;
  /**
   * Silence that ends an utterance (the end of a turn), in ms [600]. Measured: espeak-ng at 140
   * words per minute pauses 300-450 ms between sentences, so 600 keeps such a turn whole with a
   * margin; shorter answers sooner but splits a turn at its pauses.
   */
  offsetMs?: number;
  /** Audio kept from before the onset, in ms [300]. */
  prerollMs?: number;
  /** WebRTC VAD aggressiveness, 0 (least) to 3 (most) [2]. */
  mode?: 0 | 1 | 2 | 3;
  /** Longest utterance before it is cut, in ms [30,000]. */
  maxUtteranceMs?: number;
}

/** What the segmenter found in the audio it was given. */
export type VadEvent =
  /** An utterance begins; `audio` holds the pre-roll and the onset frames. */
  | { type: "start"; audio: Int16Array }
  /** More audio of the current utterance. */
  | { type: "audio"; audio: Int16Array }
  /** The utterance ended (`reason`: "silence", "max_length" or "flush"). */
  | { type: "end"; reason: "silence" | "max_length" | "flush"; trailingSilenceMs: number };

interface FvadInstance {
  _fvad_new(): number;
  _fvad_free(handle: number): void;
  _fvad_set_mode(handle: number, mode: number): number;
  _fvad_set_sample_rate(handle: number, rate: number): number;
  _fvad_process(handle: number, ptr: number, length: number): number;
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  HEAP16: Int16Array;
}

let modulePromise: Promise<FvadInstance> | undefined;
const loadFvad = (): Promise<FvadInstance> =>
  (modulePromise ??= (fvadModule as unknown as () => Promise<FvadInstance>)());

/** Splits a stream of 16 kHz mono samples into utterances. */
export class VadSegmenter {
  readonly #m: FvadInstance;
  readonly #handle: number;
  readonly #ptr: number;
  readonly #onset: number;
  readonly #offset: number;
  readonly #preroll: number;
  readonly #maxFrames: number;
  #pending = new Int16Array(0);
  #history: Int16Array[] = [];
  #inSpeech = false;
  #run = 0;
  #silent = 0;
  #frames = 0;
  #closed = false;

  private constructor(m: FvadInstance, opts: VadOptions) {
    this.#m = m;
    this.#onset = Math.max(1, Math.round((opts.onsetMs ?? 90) / FRAME_MS));
    this.#offset = Math.max(1, Math.round((opts.offsetMs ?? 600) / FRAME_MS));
    this.#preroll = Math.max(0, Math.round((opts.prerollMs ?? 300) / FRAME_MS));
    this.#maxFrames = Math.max(
      this.#onset + 1,
      Math.round((opts.maxUtteranceMs ?? 30_000) / FRAME_MS),
    );
    this.#handle = m._fvad_new();
    if (this.#handle === 0) throw new Error("libfvad: out of memory");
    m._fvad_set_sample_rate(this.#handle, SAMPLE_RATE);
    if (m._fvad_set_mode(this.#handle, opts.mode ?? 2) !== 0) {
      throw new TypeError(`VAD mode must be 0-3, got ${String(opts.mode)}`);
    }
    this.#ptr = m._malloc(VAD_FRAME * 2);
  }

  /** Creates a segmenter (loads the WASM module once per process). */
  static async create(opts: VadOptions = {}): Promise<VadSegmenter> {
    return new VadSegmenter(await loadFvad(), opts);
  }

  /** Whether an utterance is in progress. */
  get inSpeech(): boolean {
    return this.#inSpeech;
  }

  /** Feeds samples; returns what they completed. */
  push(samples: Int16Array): VadEvent[] {
    if (this.#closed) return [];
    const all = new Int16Array(this.#pending.length + samples.length);
    all.set(this.#pending);
    all.set(samples, this.#pending.length);
    const events: VadEvent[] = [];
    let at = 0;
    for (; at + VAD_FRAME <= all.length; at += VAD_FRAME) {
      this.#frame(all.slice(at, at + VAD_FRAME), events);
    }
    this.#pending = all.slice(at);
    return coalesce(events);
  }

  /** Ends an utterance in progress (for example when the audio source stops). */
  flush(): VadEvent[] {
    const events: VadEvent[] = [];
    if (this.#inSpeech) {
      if (this.#pending.length > 0) events.push({ type: "audio", audio: this.#pending });
      events.push({ type: "end", reason: "flush", trailingSilenceMs: this.#silent * FRAME_MS });
    }
    this.#reset();
    return events;
  }

  /** Frees the WASM memory. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#m._free(this.#ptr);
    this.#m._fvad_free(this.#handle);
  }

  #reset(): void {
    this.#pending = new Int16Array(0);
    this.#history = [];
    this.#inSpeech = false;
    this.#run = 0;
    this.#silent = 0;
    this.#frames = 0;
  }

  #frame(frame: Int16Array, events: VadEvent[]): void {
    this.#m.HEAP16.set(frame, this.#ptr >> 1);
    const voiced = this.#m._fvad_process(this.#handle, this.#ptr, VAD_FRAME) === 1;
    if (!this.#inSpeech) {
      this.#history.push(frame);
      if (this.#history.length > this.#preroll + this.#onset) this.#history.shift();
      this.#run = voiced ? this.#run + 1 : 0;
      if (this.#run >= this.#onset) {
        this.#inSpeech = true;
        this.#silent = 0;
        this.#frames = this.#history.length;
        events.push({ type: "start", audio: concatSamples(this.#history) });
        this.#history = [];
      }
      return;
    }
    events.push({ type: "audio", audio: frame });
    this.#frames++;
    this.#silent = voiced ? 0 : this.#silent + 1;
    if (this.#silent >= this.#offset || this.#frames >= this.#maxFrames) {
      events.push({
        type: "end",
        reason: this.#silent >= this.#offset ? "silence" : "max_length",
        trailingSilenceMs: this.#silent * FRAME_MS,
      });
      this.#inSpeech = false;
      this.#run = 0;
    }
  }
}

/** Joins runs of consecutive `audio` events so callers write fewer, larger chunks. */
function coalesce(events: VadEvent[]): VadEvent[] {
  const out: VadEvent[] = [];
  let run: Int16Array[] = [];
  const drain = (): void => {
    if (run.length > 0) out.push({ type: "audio", audio: concatSamples(run) });
    run = [];
  };
  for (const e of events) {
    if (e.type === "audio") run.push(e.audio);
    else {
      drain();
      out.push(e);
    }
  }
  drain();
  return out;
}
