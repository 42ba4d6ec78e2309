/**
 * The speech queue: takes sentences in order, synthesizes each with the engine, cuts the PCM
 * into frames, paces them and hands them to the audio sinks (data channel, local player, WAV
 * file). Cancelling stops the current sentence before its next frame and drops the queue.
 */
import type { SynthesisOptions, TtsEngine } from "./engine.js";
import { FrameChunker } from "./frames.js";
import { Pacer } from "./pacer.js";

/** One queued piece of speech. */
export interface Speech {
  /** Unique, increasing id (1, 2, ...) carried by events and audio frames. */
  readonly id: number;
  readonly text: string;
  readonly voice: string;
  readonly rate: number;
  /** Settles when the speech has been spoken, cancelled or failed. */
  readonly done: Promise<SpeechResult>;
}

/** How a speech ended. */
export interface SpeechResult {
  id: number;
  /** PCM frames sent (not counting the empty end frame). */
  frames: number;
  /** Samples sent. */
  samples: number;
  /** Whether it was cut short or dropped from the queue. */
  cancelled: boolean;
  /** The engine's error message when synthesis failed. */
  error?: string;
}

/** Where audio goes. Every method is called in order, from one speech at a time. */
export interface AudioSink {
  /** A speech starts (before its first frame). */
  start?(speech: Speech, sampleRate: number): void;
  /** One frame of PCM (s16le mono). `seq` counts from 0 within the speech. */
  frame(speech: Speech, seq: number, pcm: Buffer, sampleRate: number): void;
  /** The speech ended (`seq` is the end frame's number). */
  end?(speech: Speech, seq: number, result: SpeechResult, sampleRate: number): void;
  /** Everything was cancelled: silence what is still playing. */
  silence?(): void;
}

/** Options of {@link Speaker}. */
export interface SpeakerOptions {
  engine: TtsEngine;
  sinks: AudioSink[];
  /** Samples per frame [1024]. */
  frameSamples?: number;
  /** Pace frames to real time [true]; false sends them as fast as they are synthesized. */
  realtime?: boolean;
  /** How far ahead of real time frames may run, in ms [200]. */
  leadMs?: number;
  /** A speech starts being synthesized. */
  onStart?: (speech: Speech) => void;
  /** A speech ended (spoken, cancelled or failed). */
  onEnd?: (speech: Speech, result: SpeechResult) => void;
  /** The queue went from empty to busy (true) or back (false). */
  onBusy?: (busy: boolean) => void;
}

interface Entry {
  speech: Speech;
  abort: AbortController;
  resolve: (result: SpeechResult) => void;
}

/** The speech queue and its worker. */
export class Speaker {
  readonly frameSamples: number;
  readonly #opts: SpeakerOptions;
  readonly #pacer: Pacer;
  readonly #queue: Entry[] = [];
  #current: Entry | undefined;
  #nextId = 1;
  #running: Promise<void> | undefined;
  #closed = false;

  constructor(options: SpeakerOptions) {
    this.#opts = options;
    this.frameSamples = options.frameSamples ?? 1024;
    this.#pacer = new Pacer({ leadMs: options.leadMs ?? 200, realtime: options.realtime ?? true });
  }

  /** Whether a speech is being synthesized or played, or waits in the queue. */
  get speaking(): boolean {
    return (
      this.#current !== undefined ||
      this.#queue.length > 0 ||
      this.#pacer.playingUntil > performance.now()
    );
  }

  /** Speeches waiting (not counting the current one). */
  get queued(): number {
    return this.#queue.length;
  }

  /** Queues a sentence. */
  enqueue(text: string, settings: { voice: string; rate: number }): Speech {
    if (this.#closed) throw new Error("speaker is closed");
    let resolve!: (result: SpeechResult) => void;
    const done = new Promise<SpeechResult>((r) => (resolve = r));
    const speech: Speech = { id: this.#nextId++, text, ...settings, done };
    this.#queue.push({ speech, abort: new AbortController(), resolve });
    this.#running ??= this.#run();
    return speech;
  }

  /**
   * Stops the current speech before its next frame and drops the queue (or, with `ids`, only
   * those speeches). Returns how many speeches were cancelled.
   */
  cancel(ids?: ReadonlySet<number>): number {
    const hit = (e: Entry): boolean => ids === undefined || ids.has(e.speech.id);
    let count = 0;
    for (const entry of this.#queue.filter(hit)) {
      this.#queue.splice(this.#queue.indexOf(entry), 1);
      entry.resolve({ id: entry.speech.id, frames: 0, samples: 0, cancelled: true });
      count++;
    }
    const current = this.#current;
    if (current !== undefined && hit(current) && !current.abort.signal.aborted) {
      current.abort.abort();
      count++;
      this.#pacer.reset();
      for (const sink of this.#opts.sinks) sink.silence?.();
    }
    return count;
  }

  /** Cancels everything and refuses new speech. */
  close(): void {
    this.#closed = true;
    this.cancel();
  }

  /** Resolves when the queue is empty and nothing is being spoken. */
  async idle(): Promise<void> {
    await this.#running;
  }

  async #run(): Promise<void> {
    await Promise.resolve(); // let the caller finish (and reply) before speech_start goes out
    this.#opts.onBusy?.(true);
    try {
      for (let entry = this.#queue.shift(); entry !== undefined; entry = this.#queue.shift()) {
        this.#current = entry;
        const result = await this.#speak(entry);
        this.#current = undefined;
        entry.resolve(result);
        this.#opts.onEnd?.(entry.speech, result);
      }
    } finally {
      this.#current = undefined;
      this.#running = undefined;
      this.#opts.onBusy?.(false);
    }
  }

  async #speak(entry: Entry): Promise<SpeechResult> {
    const { speech, abort } = entry;
    const { engine, sinks } = this.#opts;
    const rate = engine.sampleRate;
    const signal = abort.signal;
    const frameMs = (this.frameSamples / rate) * 1000;
    const chunker = new FrameChunker(this.frameSamples);
    const result: SpeechResult = { id: speech.id, frames: 0, samples: 0, cancelled: false };
    this.#opts.onStart?.(speech);
    for (const sink of sinks) sink.start?.(speech, rate);
    const send = async (pcm: Buffer): Promise<boolean> => {
      if (!(await this.#pacer.next(frameMs * (pcm.length / chunker.frameBytes), signal))) {
        return false;
      }
      for (const sink of sinks) sink.frame(speech, result.frames, pcm, rate);
      result.frames++;
      result.samples += pcm.length / 2;
      return true;
    };
    const options: SynthesisOptions = { voice: speech.voice, rate: speech.rate, signal };
    try {
      synth: for await (const chunk of engine.synthesize(speech.text, options)) {
        for (const pcm of chunker.push(chunk)) if (!(await send(pcm))) break synth;
      }
      const last = chunker.flush();
      if (last !== undefined && !signal.aborted) await send(last);
    } catch (err) {
      if (!signal.aborted) result.error = (err as Error).message;
    }
    result.cancelled = signal.aborted;
    for (const sink of sinks) sink.end?.(speech, result.frames, result, rate);
    return result;
  }
}
