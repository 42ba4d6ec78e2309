/**
 * The interface every recognition engine implements, and the transcript shapes it produces.
 */
import { concatSamples } from "./audio/pcm.js";

/** One recognised word with its times, in seconds from the start of the audio given. */
export interface WordTiming {
  word: string;
  start: number;
  end: number;
  /** The engine's confidence in this word, 0-1, where it gives one. */
  confidence?: number;
}

/** What an engine recognised. */
export interface Transcript {
  /** The words, separated by single spaces ("" when nothing was recognised). */
  text: string;
  /** Word timings, where the engine gives them. */
  words?: WordTiming[];
  /**
   * The engine's confidence in the whole result, 0-1, where it gives one (pocketsphinx: the
   * keyword spotter's likelihood ratio in grammar and keyword modes, the mean word posterior
   * free-form; sherpa-onnx transducers: the mean token probability).
   */
  confidence?: number;
  /** Set instead of `text` when the result fell below the minimum confidence: what was heard. */
  rejected?: string;
}

/** One utterance being decoded while its audio arrives. */
export interface EngineStream {
  /** Adds 16 kHz mono s16 samples. */
  write(samples: Int16Array): void;
  /** Ends the audio; resolves with the final transcript. */
  end(): Promise<Transcript>;
  /** Drops the utterance; `end()` is not called afterwards. */
  abort(): void;
}

/** A speech recognition engine. Audio is always 16 kHz mono s16. */
export interface SttEngine {
  /** Short name ("pocketsphinx", "whisper"). */
  readonly name: string;
  /**
   * Checks the engine and its model and gets them ready.
   * @throws SttError `ENOENGINE` (program or package missing) or `ENOMODEL`, with the fix
   *   in the message.
   */
  load(): Promise<void>;
  /**
   * Starts decoding an utterance. `onPartial` receives the transcript so far each time more of
   * it firms up (engines that cannot do this never call it).
   */
  begin(onPartial: (soFar: Transcript) => void): EngineStream;
  /** Transcribes complete audio (for example a file). */
  transcribe(samples: Int16Array): Promise<Transcript>;
  /** Settings for `get_config`. */
  config(): Record<string, unknown>;
  /** Frees processes and memory. */
  close(): Promise<void>;
}

/** Joins transcripts of consecutive pieces (word times are already absolute). */
export function joinTranscripts(parts: readonly Transcript[]): Transcript {
  const text = parts
    .map((p) => p.text)
    .filter((t) => t !== "")
    .join(" ");
  const words = parts.flatMap((p) => p.words ?? []);
  return parts.some((p) => p.words !== undefined) ? { text, words } : { text };
}

/** The mean of the words' confidences (undefined when no word has one). */
export function meanWordConfidence(words: readonly WordTiming[]): number | undefined {
  const scored = words.filter((w) => w.confidence !== undefined);
  if (scored.length === 0) return undefined;
  return scored.reduce((n, w) => n + (w.confidence ?? 0), 0) / scored.length;
}

/**
 * Applies a minimum confidence: a result below it keeps its confidence but its text moves to
 * `rejected` (an agent must not act on it). Results without a confidence pass.
 */
export function applyMinConfidence(t: Transcript, min: number): Transcript {
  if (min <= 0 || t.confidence === undefined || t.confidence >= min || t.text === "") return t;
  return { text: "", confidence: t.confidence, rejected: t.text };
}

/**
 * The stream of an engine that decodes whole utterances: keeps the audio and transcribes it
 * all at the end (nothing when aborted).
 */
export function collectingStream(
  transcribe: (samples: Int16Array) => Promise<Transcript>,
): EngineStream {
  const chunks: Int16Array[] = [];
  let aborted = false;
  return {
    write: (samples) => void chunks.push(samples),
    end: () => (aborted ? Promise.resolve({ text: "" }) : transcribe(concatSamples(chunks))),
    abort: () => {
      aborted = true;
    },
  };
}

/** Runs tasks one after another (an engine context decodes one utterance at a time). */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  /** Runs `task` once every task queued before it has settled. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task);
    this.#tail = result.catch(() => {});
    return result;
  }

  /** Resolves once the queue is empty. */
  async idle(): Promise<void> {
    await this.#tail;
  }
}
