/**
 * whisper.cpp through the prebuilt npm binding `@fugood/whisper.node` (an optional peer: the
 * user installs it and supplies a ggml model file). Whisper decodes whole utterances, so it
 * gives no partials; words come from whisper.cpp's one-token segments.
 */
import { access } from "node:fs/promises";
import os from "node:os";
import type { EngineStream, SttEngine, Transcript, WordTiming } from "../engine.js";
import { concatSamples } from "../audio/pcm.js";
import { SttError } from "../errors.js";

/** The npm package this engine loads. */
export const WHISPER_PACKAGE = "@fugood/whisper.node";

/** Options of {@link WhisperEngine}. */
export interface WhisperOptions {
  /** Path of a ggml model file (for example ggml-base.en.bin). Required. */
  model?: string;
  /** Spoken language ["en"]. */
  language?: string;
  /** Decoder threads [half the CPUs, at least 1]. */
  threads?: number;
  /** Word timings (one-token segments) [true]. */
  words?: boolean;
  /** Loads the binding; for tests [dynamic import of {@link WHISPER_PACKAGE}]. */
  importBinding?: () => Promise<unknown>;
}

interface Segment {
  text: string;
  t0: number;
  t1: number;
}
interface WhisperContext {
  transcribeData(
    audio: ArrayBuffer,
    options: Record<string, unknown>,
  ): { stop: () => Promise<void>; promise: Promise<{ result: string; segments: Segment[] }> };
  release(): Promise<void>;
}
interface Binding {
  initWhisper(options: Record<string, unknown>): Promise<WhisperContext>;
}

const MODEL_HINT =
  "pass --model FILE with a whisper.cpp ggml model (for example ggml-base.en.bin from https://huggingface.co/ggerganov/whisper.cpp)";

/** Recognises speech with whisper.cpp. */
export class WhisperEngine implements SttEngine {
  readonly name = "whisper";
  readonly #opts: WhisperOptions;
  #ctx: WhisperContext | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: WhisperOptions = {}) {
    this.#opts = options;
  }

  async load(): Promise<void> {
    const model = this.#opts.model;
    if (model === undefined || model === "") {
      throw new SttError("ENOMODEL", `the whisper engine needs a model: ${MODEL_HINT}`);
    }
    try {
      await access(model);
    } catch {
      throw new SttError("ENOMODEL", `whisper model '${model}' is missing: ${MODEL_HINT}`);
    }
    const binding = await this.#importBinding();
    try {
      this.#ctx = await binding.initWhisper({ filePath: model, model, useGpu: false });
    } catch (err) {
      throw new SttError(
        "ENOMODEL",
        `whisper cannot load model '${model}': ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
  }

  async #importBinding(): Promise<Binding> {
    let mod: unknown;
    try {
      mod = await (this.#opts.importBinding ?? (() => import(WHISPER_PACKAGE)))();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const missing = code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND";
      const message = missing
        ? `the whisper engine needs the npm package ${WHISPER_PACKAGE}: install it with 'npm install ${WHISPER_PACKAGE}'`
        : `${WHISPER_PACKAGE} is installed but cannot be loaded (${(err as Error).message}): reinstall it with 'npm install ${WHISPER_PACKAGE}'`;
      throw new SttError("ENOENGINE", message, { cause: err });
    }
    const binding = (mod as { initWhisper?: unknown; default?: { initWhisper?: unknown } }) ?? {};
    const init = binding.initWhisper ?? binding.default?.initWhisper;
    if (typeof init !== "function") {
      throw new SttError(
        "ENOENGINE",
        `${WHISPER_PACKAGE} has no initWhisper(): install a 1.x version with 'npm install ${WHISPER_PACKAGE}@1'`,
      );
    }
    return { initWhisper: init as Binding["initWhisper"] };
  }

  begin(): EngineStream {
    const chunks: Int16Array[] = [];
    let aborted = false;
    return {
      write: (samples) => void chunks.push(samples),
      end: () => (aborted ? Promise.resolve({ text: "" }) : this.transcribe(concatSamples(chunks))),
      abort: () => {
        aborted = true;
      },
    };
  }

  transcribe(samples: Int16Array): Promise<Transcript> {
    // One decode at a time per context: queue the rest.
    const run = this.#queue.then(() => this.#decode(samples));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #decode(samples: Int16Array): Promise<Transcript> {
    const ctx = this.#ctx;
    if (ctx === undefined) throw new SttError("EENGINE", "the whisper engine is not loaded");
    const words = this.#opts.words ?? true;
    const audio = samples.buffer.slice(samples.byteOffset, samples.byteOffset + samples.byteLength);
    const { promise } = ctx.transcribeData(audio as ArrayBuffer, {
      language: this.#opts.language ?? "en",
      temperature: 0,
      maxThreads: this.#opts.threads ?? Math.max(1, Math.floor(os.availableParallelism() / 2)),
      ...(words ? { tokenTimestamps: true, maxLen: 1 } : {}),
    });
    let result: { result: string; segments: Segment[] };
    try {
      result = await promise;
    } catch (err) {
      throw new SttError("EENGINE", `whisper failed: ${(err as Error).message}`, { cause: err });
    }
    const text = result.result.replace(/\s+/g, " ").trim();
    if (!words) return { text };
    const timings: WordTiming[] = result.segments
      .map((s) => ({ word: s.text.trim(), start: s.t0 / 100, end: s.t1 / 100 }))
      .filter((w) => w.word !== "");
    return { text, words: timings };
  }

  config(): Record<string, unknown> {
    return {
      engine: this.name,
      model: this.#opts.model ?? null,
      language: this.#opts.language ?? "en",
    };
  }

  async close(): Promise<void> {
    const ctx = this.#ctx;
    this.#ctx = undefined;
    await ctx?.release();
  }
}
