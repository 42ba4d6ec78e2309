/**
 * whisper.cpp through its prebuilt npm binding (an optional peer): `@fugood/whisper.node`
 * (all platforms and GPU variants, 266 MB on linux-x64), or just this platform's native
 * package, `@fugood/node-whisper-<platform>-<arch>` (2.8 MB on linux-x64), which this engine
 * loads directly. The model is a ggml file, fetched by name on first use (tiny.en, base.en,
 * small.en; SHA-1 pinned as whisper.cpp publishes them) or given as a path.
 *
 * Whisper decodes whole utterances, so it gives no partials; words come from whisper.cpp's
 * one-token segments. The binding reports no token probabilities, so results carry no
 * confidence.
 */
import { createRequire } from "node:module";
import os from "node:os";
import type { FetchOptions, ModelSpec } from "named-pipe-tools-models";
import { ModelError, importOptional, resolveModel } from "named-pipe-tools-models";
import type { EngineStream, SttEngine, Transcript, WordTiming } from "../engine.js";
import { SerialQueue, collectingStream } from "../engine.js";
import { SttError } from "../errors.js";

/** The npm package with every platform's binding. */
export const WHISPER_PACKAGE = "@fugood/whisper.node";
/** This platform's native package alone (what {@link WHISPER_PACKAGE} loads). */
export const WHISPER_PLATFORM_PACKAGE = `@fugood/node-whisper-${process.platform}-${process.arch}`;

const HF = "https://huggingface.co/ggerganov/whisper.cpp/resolve/main";
const MiB = 1024 * 1024;

/** The ggml models fetched by name (SHA-1s from whisper.cpp's models/README.md). */
export const WHISPER_MODELS: readonly ModelSpec[] = [
  {
    name: "tiny.en",
    description: "Whisper tiny, English (fastest, roughly 2x the errors of base.en)",
    url: `${HF}/ggml-tiny.en.bin`,
    size: 75 * MiB,
    kind: "file",
    digest: { algorithm: "sha1", hex: "c78c86eb1a8faa21b369bcd33207cc90d64ae9df" },
  },
  {
    name: "base.en",
    description: "Whisper base, English (a good default)",
    url: `${HF}/ggml-base.en.bin`,
    size: 142 * MiB,
    kind: "file",
    digest: { algorithm: "sha1", hex: "137c40403d78fd54d454da0f9bd998f78703390c" },
  },
  {
    name: "small.en",
    description: "Whisper small, English (most accurate of the three, ~4x slower than base.en)",
    url: `${HF}/ggml-small.en.bin`,
    size: 466 * MiB,
    kind: "file",
    digest: { algorithm: "sha1", hex: "db8a495a91d927739e50b3fc1cc4c6b8f6c2d022" },
  },
];

/** The default model. */
export const DEFAULT_WHISPER_MODEL = "base.en";

/** Options of {@link WhisperEngine}. */
export interface WhisperOptions {
  /** A model name ({@link WHISPER_MODELS}, fetched on first use) or a ggml file ["base.en"]. */
  model?: string;
  /** Spoken language ["en"]. */
  language?: string;
  /** Decoder threads [half the CPUs, at least 1]. */
  threads?: number;
  /** Word timings (one-token segments) [true]. */
  words?: boolean;
  /** Where fetched models go and how progress shows (tests). */
  fetch?: FetchOptions;
  /** Loads the binding; for tests [{@link WHISPER_PACKAGE}, else {@link WHISPER_PLATFORM_PACKAGE}]. */
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

const INSTALL = `install it beside the server (add -g when the server is installed with -g) with 'npm install ${WHISPER_PLATFORM_PACKAGE}' (this platform only, 2.8 MB on linux-x64) or 'npm install ${WHISPER_PACKAGE}' (every platform and GPU variant, 266 MB)`;

/** Loads the binding: the full package, else this platform's native package alone. */
async function defaultImport(): Promise<unknown> {
  try {
    return await import(WHISPER_PACKAGE);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== "ERR_MODULE_NOT_FOUND" && code !== "MODULE_NOT_FOUND") throw err;
    // A .node file cannot be imported as ESM; the platform package is CommonJS.
    const native = createRequire(import.meta.url)(WHISPER_PLATFORM_PACKAGE) as {
      WhisperContext?: new (o: Record<string, unknown>) => WhisperContext;
    };
    const Context = native.WhisperContext;
    if (Context === undefined) throw new Error(`${WHISPER_PLATFORM_PACKAGE} has no WhisperContext`);
    return { initWhisper: async (o: Record<string, unknown>) => new Context(o) };
  }
}

/** Recognises speech with whisper.cpp. */
export class WhisperEngine implements SttEngine {
  readonly name = "whisper";
  readonly #opts: WhisperOptions;
  readonly #queue = new SerialQueue();
  #ctx: WhisperContext | undefined;
  #file = "";

  constructor(options: WhisperOptions = {}) {
    this.#opts = options;
  }

  async load(): Promise<void> {
    const binding = await this.#importBinding();
    try {
      this.#file = await resolveModel(
        this.#opts.model ?? DEFAULT_WHISPER_MODEL,
        WHISPER_MODELS,
        this.#opts.fetch,
      );
    } catch (err) {
      throw new SttError("ENOMODEL", `whisper model: ${(err as Error).message}`, { cause: err });
    }
    try {
      this.#ctx = await binding.initWhisper({ filePath: this.#file, useGpu: false });
    } catch (err) {
      throw new SttError(
        "ENOMODEL",
        `whisper cannot load model '${this.#file}': ${(err as Error).message}`,
        { cause: err },
      );
    }
  }

  async #importBinding(): Promise<Binding> {
    let mod: { initWhisper?: unknown };
    try {
      mod = await importOptional(
        this.#opts.importBinding ?? defaultImport,
        WHISPER_PACKAGE,
        INSTALL,
        [WHISPER_PLATFORM_PACKAGE],
      );
    } catch (err) {
      const message = err instanceof ModelError ? err.message : String(err);
      throw new SttError("ENOENGINE", `the whisper engine ${message}`, { cause: err });
    }
    if (typeof mod.initWhisper !== "function") {
      throw new SttError(
        "ENOENGINE",
        `${WHISPER_PACKAGE} has no initWhisper(): install a 1.x version with 'npm install ${WHISPER_PACKAGE}@1'`,
      );
    }
    return { initWhisper: mod.initWhisper as Binding["initWhisper"] };
  }

  begin(): EngineStream {
    return collectingStream((samples) => this.transcribe(samples));
  }

  transcribe(samples: Int16Array): Promise<Transcript> {
    return this.#queue.run(() => this.#decode(samples));
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
    const seconds = samples.length / 16_000;
    const clamp = (t: number): number => Math.min(seconds, Math.max(0, t / 100));
    const timings: WordTiming[] = result.segments
      .map((s) => ({ word: s.text.trim(), start: clamp(s.t0), end: clamp(s.t1) }))
      .filter((w) => w.word !== "");
    return { text, words: timings };
  }

  config(): Record<string, unknown> {
    return {
      engine: this.name,
      model: this.#opts.model ?? DEFAULT_WHISPER_MODEL,
      model_file: this.#file || null,
      language: this.#opts.language ?? "en",
    };
  }

  async close(): Promise<void> {
    await this.#queue.idle();
    const ctx = this.#ctx;
    this.#ctx = undefined;
    await ctx?.release();
  }
}
