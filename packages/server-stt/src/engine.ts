/**
 * The interface every recognition engine implements, and the transcript shapes it produces.
 */

/** One recognised word with its times, in seconds from the start of the audio given. */
export interface WordTiming {
  word: string;
  start: number;
  end: number;
}

/** What an engine recognised. */
export interface Transcript {
  /** The words, separated by single spaces ("" when nothing was recognised). */
  text: string;
  /** Word timings, where the engine gives them. */
  words?: WordTiming[];
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
