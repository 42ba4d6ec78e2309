/**
 * Neural voices through sherpa-onnx (an optional peer: `npm install sherpa-onnx-node`, 32 MB
 * with onnxruntime): Piper (VITS) and Kokoro, fetched by name on first use or given as a voice
 * directory. Synthesis runs on sherpa-onnx's worker threads; each sentence's audio is handed on
 * as soon as the model has made it, and an abort stops it between chunks.
 */
import os from "node:os";
import path from "node:path";
import type { FetchOptions, SherpaModule, SherpaTts } from "named-pipe-tools-models";
import { ModelError, createSherpaChecked, loadSherpa, resolveModel } from "named-pipe-tools-models";
import type { SynthesisOptions, TtsEngine, Voice } from "./engine.js";
import { TtsError } from "./errors.js";
import type { SherpaVoiceFiles } from "./sherpa-voices.js";
import { KOKORO_EN_SPEAKERS, SHERPA_VOICES, sherpaVoiceFiles } from "./sherpa-voices.js";

/** Options of {@link SherpaTtsEngine}. */
export interface SherpaTtsOptions {
  /** A voice name ({@link SHERPA_VOICES}, fetched on first use) or a voice directory ["piper-lessac-medium"]. */
  model?: string;
  /** Default speaker of a multi-speaker model: its index or name ["0", or Kokoro's "af"]. */
  voice?: string;
  /** Threads [half the CPUs, at least 1]. */
  threads?: number;
  /** Where fetched voices go and how progress shows (tests). */
  fetch?: FetchOptions;
  /** Loads the binding; for tests [dynamic import of sherpa-onnx-node]. */
  importBinding?: () => Promise<unknown>;
}

/** The default voice. */
export const DEFAULT_SHERPA_VOICE = "piper-lessac-medium";

/** A sherpa-onnx voice as a {@link TtsEngine}. Output: s16le mono at the model's rate. */
export class SherpaTtsEngine implements TtsEngine {
  readonly name = "sherpa";
  readonly #opts: SherpaTtsOptions;
  #tts: SherpaTts | undefined;
  #files: SherpaVoiceFiles | undefined;
  #voices: Voice[] = [];
  #dir = "";

  constructor(options: SherpaTtsOptions = {}) {
    this.#opts = options;
  }

  get sampleRate(): number {
    return this.#tts?.sampleRate ?? 22_050;
  }

  get defaultVoice(): string {
    return this.#opts.voice ?? this.#voices[0]?.id ?? "0";
  }

  /** The voice directory in use (after {@link load}). */
  get directory(): string {
    return this.#dir;
  }

  async load(): Promise<void> {
    const sherpa = await this.#binding();
    const wanted = this.#opts.model ?? DEFAULT_SHERPA_VOICE;
    try {
      this.#dir = await resolveModel(wanted, SHERPA_VOICES, this.#opts.fetch);
    } catch (err) {
      throw new TtsError("ENOENGINE", `sherpa-onnx voice: ${(err as Error).message}`, {
        cause: err,
      });
    }
    const files = await sherpaVoiceFiles(this.#dir);
    const config = {
      model: {
        ...files.model,
        numThreads: this.#opts.threads ?? Math.max(1, Math.floor(os.availableParallelism() / 2)),
        provider: "cpu",
        debug: 0,
      },
      maxNumSentences: 1,
    };
    this.#tts = await createSherpaChecked(
      "tts",
      config,
      () => sherpa.OfflineTts.createAsync(config),
      {
        // A directory the user gave may hold models sherpa-onnx exits on: try it apart first.
        probe: this.#opts.importBinding === undefined && this.#dir === path.resolve(wanted),
        what: this.#dir,
        fail: (message, cause) => new TtsError("ENOENGINE", message, { cause }),
      },
    );
    this.#files = files;
    const names =
      files.family === "kokoro" && this.#tts.numSpeakers === KOKORO_EN_SPEAKERS.length
        ? KOKORO_EN_SPEAKERS
        : undefined;
    this.#voices = Array.from({ length: Math.max(1, this.#tts.numSpeakers) }, (_, i) => ({
      id: names?.[i] ?? String(i),
      name: names?.[i] ?? `speaker ${i}`,
      language: "en",
    }));
  }

  async #binding(): Promise<SherpaModule> {
    try {
      return await loadSherpa(this.#opts.importBinding ?? (() => import("sherpa-onnx-node")));
    } catch (err) {
      if (err instanceof ModelError) {
        throw new TtsError("ENOENGINE", `the sherpa engine ${err.message}`, { cause: err });
      }
      throw err;
    }
  }

  async listVoices(): Promise<Voice[]> {
    return this.#voices;
  }

  /** Which family the voice is ("vits" for Piper, "kokoro"), once loaded. */
  get family(): string | undefined {
    return this.#files?.family;
  }

  async *synthesize(text: string, options: SynthesisOptions): AsyncGenerator<Uint8Array> {
    const tts = this.#tts;
    if (tts === undefined) throw new TtsError("ENOENGINE", "the sherpa engine is not loaded");
    const sid = this.#voices.findIndex((v) => v.id === options.voice);
    if (sid < 0)
      throw new TtsError("EBADVOICE", `unknown voice '${options.voice}' (list_voices lists them)`);
    const chunks: Uint8Array[] = [];
    let wake: (() => void) | undefined;
    let streamed = false;
    let finished = false;
    let failure: unknown;
    const generated = tts
      .generateAsync({
        text,
        sid,
        speed: options.rate,
        onProgress: ({ samples }) => {
          streamed = true;
          chunks.push(toS16le(samples));
          wake?.();
          return options.signal.aborted ? 0 : 1; // 0 stops the generation
        },
      })
      .then(
        (audio) => {
          // Models that do not stream hand the whole audio over at the end.
          if (!streamed) chunks.push(toS16le(audio.samples));
        },
        (err: unknown) => (failure = err),
      )
      .finally(() => {
        finished = true;
        wake?.();
      });
    const onAbort = (): void => wake?.();
    options.signal.addEventListener("abort", onAbort, { once: true });
    try {
      for (;;) {
        if (options.signal.aborted) return;
        const chunk = chunks.shift();
        if (chunk !== undefined) {
          yield chunk;
          continue;
        }
        if (finished) break;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
      if (failure !== undefined) {
        throw new TtsError("ESYNTH", `sherpa-onnx failed: ${(failure as Error).message}`, {
          cause: failure,
        });
      }
    } finally {
      options.signal.removeEventListener("abort", onAbort);
      void generated;
    }
  }

  async close(): Promise<void> {
    this.#tts = undefined; // freed by the binding's finalizers
  }
}

/** Float samples in [-1, 1] as 16-bit little-endian PCM. */
function toS16le(samples: Float32Array): Uint8Array {
  const out = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) {
    const v = Math.max(-1, Math.min(1, samples[i] ?? 0));
    out.writeInt16LE(Math.round(v < 0 ? v * 32768 : v * 32767), i * 2);
  }
  return out;
}
