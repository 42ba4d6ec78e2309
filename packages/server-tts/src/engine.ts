/**
 * The engine interface: what the TTS server needs from a speech synthesizer. The server only
 * talks to this interface, so another engine (a neural one, a WASM build) is one new class.
 */

/** A voice an engine offers. */
export interface Voice {
  /** What `set_voice` and the `voice` option take (for espeak-ng: `en-us`, `de`, `en-us+f3`). */
  id: string;
  /** Human-readable name. */
  name: string;
  /** Language tag, when known (`en-us`). */
  language?: string;
  /** `male`, `female` or undefined when unknown. */
  gender?: "male" | "female";
}

/** Per-utterance synthesis settings. */
export interface SynthesisOptions {
  /** Voice id (one of {@link TtsEngine.listVoices}). */
  voice: string;
  /** Speaking rate as a multiple of the engine's normal rate (1 = normal, 2 = twice as fast). */
  rate: number;
  /** Aborting it stops synthesis at once (a spawned process is killed). */
  signal: AbortSignal;
}

/**
 * A speech synthesizer producing 16-bit signed little-endian mono PCM at {@link sampleRate}.
 *
 * Implementations must not block the event loop: spawn a process, use a worker, or yield
 * between chunks.
 */
export interface TtsEngine {
  /** Short engine name reported by `get_config` (`espeak-ng`). */
  readonly name: string;
  /** Output sample rate in Hz; valid once {@link load} has resolved. */
  readonly sampleRate: number;
  /** Default voice id. */
  readonly defaultVoice: string;
  /**
   * Prepares the engine (checks the binary, loads a model). Rejects with a `TtsError` code
   * `ENOENGINE` when the engine cannot run.
   */
  load(): Promise<void>;
  /** The voices this engine offers. */
  listVoices(): Promise<Voice[]>;
  /**
   * Synthesizes one piece of text. Yields PCM chunks (s16le mono, any length, even byte counts
   * not required) as soon as the engine produces them, so the first audio leaves early. Ends
   * when the text is spoken; throws a `TtsError` (`ESYNTH`) on failure. When `options.signal`
   * aborts it stops promptly and returns without throwing.
   */
  synthesize(text: string, options: SynthesisOptions): AsyncIterable<Uint8Array>;
  /** Releases resources (optional). */
  close?(): Promise<void>;
}
