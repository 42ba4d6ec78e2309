/**
 * sherpa-onnx (an optional peer: `npm install sherpa-onnx-node`, 32 MB with onnxruntime) with
 * an offline model: NVIDIA Parakeet (TDT transducers), Moonshine or Whisper, fetched by name on
 * first use or given as a directory. Decoding runs on sherpa-onnx's worker threads (its async
 * API), one utterance at a time per engine. Whole-utterance models give no partials.
 *
 * Confidence: transducers report each token's log probability; a word's confidence is the
 * geometric mean of its tokens' probabilities, the result's that of all tokens. Moonshine and
 * Whisper report none.
 */
import os from "node:os";
import path from "node:path";
import type {
  FetchOptions,
  SherpaModule,
  SherpaRecognizer,
  SherpaResult,
} from "named-pipe-tools-models";
import {
  ModelError,
  loadSherpa,
  createSherpaChecked,
  resolveModel,
  toFloat32,
} from "named-pipe-tools-models";
import type { EngineStream, SttEngine, Transcript, WordTiming } from "../engine.js";
import { SerialQueue, collectingStream } from "../engine.js";
import { SttError } from "../errors.js";
import type { SherpaModelFiles } from "./sherpa-models.js";
import { SHERPA_MODELS, TESTED_FAMILIES, sherpaModelFiles } from "./sherpa-models.js";

/** Options of {@link SherpaEngine}. */
export interface SherpaOptions {
  /**
   * A model name (see {@link SHERPA_MODELS}: fetched into the cache on first use) or a model
   * directory ["parakeet-tdt-0.6b-v2"].
   */
  model?: string;
  /** Decoder threads [half the CPUs, at least 1]. */
  threads?: number;
  /** Where fetched models go and how progress shows (tests). */
  fetch?: FetchOptions;
  /** Loads the binding; for tests [dynamic import of sherpa-onnx-node]. */
  importBinding?: () => Promise<unknown>;
}

/** The default model. */
export const DEFAULT_SHERPA_MODEL = "parakeet-tdt-0.6b-v2";

/** Recognizes speech with sherpa-onnx. */
export class SherpaEngine implements SttEngine {
  readonly name = "sherpa";
  readonly #opts: SherpaOptions;
  #recognizer: SherpaRecognizer | undefined;
  #files: SherpaModelFiles | undefined;
  #dir = "";
  readonly #queue = new SerialQueue();

  constructor(options: SherpaOptions = {}) {
    this.#opts = options;
  }

  async load(): Promise<void> {
    const sherpa = await this.#binding();
    const wanted = this.#opts.model ?? DEFAULT_SHERPA_MODEL;
    try {
      this.#dir = await resolveModel(wanted, SHERPA_MODELS, this.#opts.fetch);
    } catch (err) {
      throw new SttError("ENOMODEL", `sherpa-onnx model: ${(err as Error).message}`, {
        cause: err,
      });
    }
    const files = await sherpaModelFiles(this.#dir);
    const config = {
      featConfig: { sampleRate: 16_000, featureDim: 80 },
      modelConfig: {
        ...files.modelConfig,
        numThreads: this.#opts.threads ?? Math.max(1, Math.floor(os.availableParallelism() / 2)),
        provider: "cpu",
        debug: 0,
      },
      decodingMethod: "greedy_search",
    };
    this.#recognizer = await createSherpaChecked(
      "asr",
      config,
      () => sherpa.OfflineRecognizer.createAsync(config),
      {
        // A directory the user gave may hold models sherpa-onnx exits on: try it apart first.
        probe: this.#opts.importBinding === undefined && this.#dir === path.resolve(wanted),
        what: this.#dir,
        fail: (message, cause) => new SttError("ENOMODEL", message, { cause }),
      },
    );
    this.#files = files;
  }

  async #binding(): Promise<SherpaModule> {
    try {
      return await loadSherpa(this.#opts.importBinding ?? (() => import("sherpa-onnx-node")));
    } catch (err) {
      if (err instanceof ModelError) {
        throw new SttError("ENOENGINE", `the sherpa engine ${err.message}`, { cause: err });
      }
      throw err;
    }
  }

  begin(): EngineStream {
    return collectingStream((samples) => this.transcribe(samples));
  }

  transcribe(samples: Int16Array): Promise<Transcript> {
    return this.#queue.run(() => this.#decode(samples));
  }

  async #decode(samples: Int16Array): Promise<Transcript> {
    const recognizer = this.#recognizer;
    if (recognizer === undefined) throw new SttError("EENGINE", "the sherpa engine is not loaded");
    const stream = recognizer.createStream();
    stream.acceptWaveform({ samples: toFloat32(samples), sampleRate: 16_000 });
    let result: SherpaResult;
    try {
      result = await recognizer.decodeAsync(stream);
    } catch (err) {
      throw new SttError("EENGINE", `sherpa-onnx failed: ${(err as Error).message}`, {
        cause: err,
      });
    }
    return sherpaTranscript(result, samples.length / 16_000);
  }

  config(): Record<string, unknown> {
    return {
      engine: this.name,
      model: this.#opts.model ?? DEFAULT_SHERPA_MODEL,
      model_dir: this.#dir || null,
      family: this.#files?.family ?? null,
      // Families this project has not run end to end (see the README).
      experimental: this.#files === undefined ? null : !TESTED_FAMILIES.has(this.#files.family),
    };
  }

  async close(): Promise<void> {
    await this.#queue.idle();
    this.#recognizer = undefined; // freed by the binding's finalizers
  }
}

/**
 * A transcript from a sherpa-onnx result: words are runs of tokens, each new word starting
 * at a token with a leading space (SentencePiece's word boundary); times are clamped to the
 * audio's length.
 */
export function sherpaTranscript(r: SherpaResult, seconds: number): Transcript {
  const text = r.text.replace(/\s+/g, " ").trim();
  const tokens = r.tokens ?? [];
  const times = r.timestamps ?? [];
  const logp = r.ys_log_probs ?? [];
  if (tokens.length === 0 || times.length !== tokens.length) return { text };
  const groups: number[][] = [];
  tokens.forEach((tok, i) => {
    if (groups.length === 0 || /^[\s▁]/.test(tok)) groups.push([i]);
    else groups.at(-1)?.push(i);
  });
  const clamp = (t: number): number => Math.round(Math.min(seconds, Math.max(0, t)) * 1000) / 1000;
  const words: WordTiming[] = [];
  for (const [g, idx] of groups.entries()) {
    const word = idx
      .map((i) => tokens[i] ?? "")
      .join("")
      .replace(/▁/g, " ")
      .trim();
    if (word === "") continue;
    const first = idx[0] ?? 0;
    const last = idx.at(-1) ?? first;
    const next = groups[g + 1]?.[0];
    const end =
      r.durations?.[last] !== undefined
        ? (times[last] ?? 0) + (r.durations[last] ?? 0)
        : next !== undefined
          ? (times[next] ?? 0)
          : seconds;
    const w: WordTiming = { word, start: clamp(times[first] ?? 0), end: clamp(end) };
    if (logp.length === tokens.length) w.confidence = geometricMean(idx.map((i) => logp[i] ?? 0));
    words.push(w);
  }
  const out: Transcript = { text, words };
  if (logp.length === tokens.length && logp.length > 0) out.confidence = geometricMean(logp);
  return out;
}

/** exp(mean(log p)), rounded to 3 places. */
function geometricMean(logProbs: readonly number[]): number {
  const mean = logProbs.reduce((a, b) => a + b, 0) / Math.max(1, logProbs.length);
  return Math.round(Math.exp(mean) * 1000) / 1000;
}
