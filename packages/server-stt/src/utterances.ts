/**
 * One audio source's path: samples -> VAD -> engine, reported as utterance events.
 */
import type { VadEvent, VadOptions } from "./audio/vad.js";
import { VadSegmenter } from "./audio/vad.js";
import { SAMPLE_RATE } from "./audio/pcm.js";
import type { EngineStream, SttEngine, Transcript } from "./engine.js";

/** A finished utterance. */
export interface FinalTranscript extends Transcript {
  /** Why it ended: "silence", "max_length" or "flush". */
  reason: string;
  /** From the VAD's end decision to the final transcript, ms. */
  decodeMs: number;
  /**
   * From the end of speech (the last voiced frame, by arrival time) to the final transcript, ms:
   * the VAD offset plus the decode. Meaningful for real-time sources.
   */
  endDelayMs: number;
}

/** What a {@link Utterances} reports; `start` is the utterance's first sample, epoch seconds. */
export interface UtteranceHandlers {
  onStart(start: number): void;
  onPartial(soFar: Transcript, start: number): void;
  onFinal(result: FinalTranscript, start: number): void;
  onError(err: Error): void;
  /** Called when the source goes from idle to busy and back (for states). */
  onBusy(busy: boolean): void;
}

/** Segments one source's audio into utterances and transcribes each. */
export class Utterances {
  readonly #vad: VadSegmenter;
  readonly #engine: SttEngine;
  readonly #h: UtteranceHandlers;
  #stream: EngineStream | undefined;
  #start = 0;
  #decoding = 0;
  #closed = false;

  private constructor(vad: VadSegmenter, engine: SttEngine, handlers: UtteranceHandlers) {
    this.#vad = vad;
    this.#engine = engine;
    this.#h = handlers;
  }

  /** Creates the path for one source. */
  static async create(
    engine: SttEngine,
    vad: VadOptions,
    handlers: UtteranceHandlers,
  ): Promise<Utterances> {
    return new Utterances(await VadSegmenter.create(vad), engine, handlers);
  }

  /** Whether an utterance is being heard or decoded. */
  get busy(): boolean {
    return this.#stream !== undefined || this.#decoding > 0;
  }

  /** Feeds samples (16 kHz mono s16). */
  push(samples: Int16Array): void {
    if (this.#closed) return;
    const arrived = Date.now();
    for (const event of this.#vad.push(samples)) this.#on(event, arrived);
  }

  /** Ends an utterance in progress and transcribes what was heard. */
  flush(): void {
    for (const event of this.#vad.flush()) this.#on(event, Date.now());
  }

  /** Drops an utterance in progress (no final transcript) and frees the VAD. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const stream = this.#stream;
    this.#stream = undefined;
    stream?.abort();
    this.#vad.close();
    if (stream !== undefined && this.#decoding === 0) this.#h.onBusy(false);
  }

  #on(event: VadEvent, arrived: number): void {
    if (event.type === "start") {
      const wasBusy = this.busy;
      // Approximate: the onset's audio ends about when the chunk holding it arrived.
      this.#start = arrived / 1000 - event.audio.length / SAMPLE_RATE;
      const start = this.#start;
      this.#stream = this.#engine.begin((soFar) => this.#h.onPartial(soFar, start));
      if (!wasBusy) this.#h.onBusy(true);
      this.#h.onStart(start);
      this.#stream.write(event.audio);
    } else if (event.type === "audio") {
      this.#stream?.write(event.audio);
    } else {
      const stream = this.#stream;
      if (stream === undefined) return;
      this.#stream = undefined;
      this.#decoding++;
      const start = this.#start;
      const endAt = Date.now();
      stream
        .end()
        .then(
          (t) => {
            const now = Date.now();
            this.#h.onFinal(
              {
                ...t,
                reason: event.reason,
                decodeMs: now - endAt,
                endDelayMs: now - endAt + event.trailingSilenceMs,
              },
              start,
            );
          },
          (err: unknown) => this.#h.onError(err as Error),
        )
        .finally(() => {
          this.#decoding--;
          if (!this.busy) this.#h.onBusy(false);
        });
    }
  }
}
