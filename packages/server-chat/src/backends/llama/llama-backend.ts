/**
 * The embedded backend: node-llama-cpp (llama.cpp) with a GGUF model, the model's own chat
 * template, and one context with `parallel` sequences that llama.cpp evaluates in shared
 * batches.
 */
import type { ChatHistoryItem, Llama, LlamaContext, LlamaModel, Token } from "node-llama-cpp";
import { LlamaChat, LlamaLogLevel, TokenBias, getLlama } from "node-llama-cpp";
import { ChatServerError } from "../../errors.js";
import type {
  ChatBackend,
  ChatMessage,
  FinishReason,
  GenerateRequest,
  GenerateResult,
} from "../types.js";
import { checkGgufFile } from "./gguf-check.js";
import type { DownloadProgress } from "./model-source.js";
import { defaultModelsDir, isModelUri, resolveModel } from "./model-source.js";
import { probeModel } from "./probe-model.js";
import { defaultThreads } from "./threads.js";

/** GPU choice passed to node-llama-cpp. */
export type GpuOption = "auto" | false | "cuda" | "vulkan" | "metal";

/** Options of {@link LlamaBackend}. Defaults in brackets. */
export interface LlamaBackendOptions {
  /** A GGUF file path, or a URI node-llama-cpp resolves (`hf:user/repo/file.gguf`, `https://...`). */
  model: string;
  /** Download cache for URIs [~/.node-llama-cpp/models]. */
  modelsDir?: string;
  /** CPU threads [1 on up to 2 cores, else about half the cores; see threads.ts]. */
  threads?: number;
  /** GPU backend ["auto"]; `false` for CPU only. */
  gpu?: GpuOption;
  /** Context size per sequence, in tokens [the model's, at most 4096]. */
  contextSize?: number;
  /** Sequences generating at once [1]. */
  parallel?: number;
  /** Check the file in a child process before loading it [true]. */
  probe?: boolean;
  /** Diagnostics. */
  log?: (line: string) => void;
  /** Download progress of a URI model. */
  onProgress?: (progress: DownloadProgress) => void;
}

/**
 * Checks a local model file: the GGUF structure in JavaScript, then (with `probe`) its metadata
 * and vocabulary in a child llama.cpp process.
 * @throws ChatServerError `bad_model`
 */
export async function checkModelFile(path: string, probe = true): Promise<void> {
  await checkGgufFile(path);
  if (probe) await probeModel(path);
}

/** GGUF token type of control tokens (llama.cpp `LLAMA_TOKEN_TYPE_CONTROL`). */
const CONTROL_TOKEN = 3;

function toHistory(messages: readonly ChatMessage[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = messages.map((m) =>
    m.role === "system"
      ? { type: "system", text: m.content }
      : m.role === "user"
        ? { type: "user", text: m.content }
        : { type: "model", response: [m.content] },
  );
  // The reply to generate: an empty model turn (or the continuation of a trailing one).
  if (messages.at(-1)?.role !== "assistant") history.push({ type: "model", response: [] });
  return history;
}

/** The embedded node-llama-cpp backend. */
export class LlamaBackend implements ChatBackend {
  readonly kind = "llama";
  readonly parallel: number;
  readonly #opts: LlamaBackendOptions;
  readonly #threads: number;
  readonly #log: (line: string) => void;
  readonly #free: LlamaChat[] = [];
  #llama: Llama | undefined;
  #model: LlamaModel | undefined;
  #context: LlamaContext | undefined;
  #file: string | undefined;
  #noEos: TokenBias | undefined;
  #template: string | undefined;

  constructor(options: LlamaBackendOptions) {
    if (typeof options.model !== "string" || options.model === "") {
      throw new ChatServerError("EUSAGE", "the llama backend needs a model (--model)");
    }
    this.#opts = options;
    this.parallel = options.parallel ?? 1;
    this.#threads = options.threads ?? defaultThreads();
    this.#log = options.log ?? (() => undefined);
  }

  async load(signal: AbortSignal): Promise<void> {
    const { model, gpu = "auto" } = this.#opts;
    const file = await resolveModel(
      model,
      this.#opts.modelsDir ?? defaultModelsDir(),
      (p) => this.#opts.onProgress?.(p),
      signal,
    );
    this.#file = file;
    await checkModelFile(file, this.#opts.probe ?? true);
    try {
      this.#llama = await getLlama({
        gpu,
        build: "never",
        skipDownload: true,
        usePrebuiltBinaries: true,
        progressLogs: false,
        logLevel: LlamaLogLevel.warn,
        logger: (level, message) => {
          if (level === LlamaLogLevel.error || level === LlamaLogLevel.warn) {
            const line = message.trim();
            if (line !== "") this.#log(`llama.cpp: ${line}`);
          }
        },
        maxThreads: this.#threads,
      });
      this.#model = await this.#llama.loadModel({
        modelPath: file,
        ...(gpu === false ? { gpuLayers: 0 } : {}),
      });
      const trained = this.#model.trainContextSize;
      this.#context = await this.#model.createContext({
        sequences: this.parallel,
        contextSize: this.#opts.contextSize ?? Math.min(trained > 0 ? trained : 4096, 4096),
        threads: this.#threads,
      });
    } catch (err) {
      await this.close();
      throw new ChatServerError(
        "EMODELLOAD",
        `cannot load model ${file}: ${(err as Error).message}`,
        { cause: err },
      );
    }
    for (let i = 0; i < this.parallel; i++) {
      this.#free.push(new LlamaChat({ contextSequence: this.#context.getSequence() }));
    }
    this.#template = this.#free[0]?.chatWrapper.wrapperName;
  }

  async generate(request: GenerateRequest): Promise<GenerateResult> {
    const { messages, options, signal, onText } = request;
    const model = this.#model;
    const chat = this.#free.pop();
    if (model === undefined || chat === undefined) {
      throw new ChatServerError("ENOTREADY", "the model is not loaded or every sequence is busy");
    }
    let completionTokens = 0;
    let promptTokens: number | undefined;
    try {
      const history = toHistory(messages);
      promptTokens = chat.chatWrapper
        .generateContextState({ chatHistory: history })
        .contextText.tokenize(model.tokenizer).length;
      const result = await chat.generateResponse(history, {
        signal,
        stopOnAbortSignal: true,
        onTextChunk: (text) => {
          if (text !== "") onText(text);
        },
        onToken: (tokens) => (completionTokens += tokens.length),
        maxTokens: options.maxTokens,
        temperature: options.temperature,
        ...(options.topP === undefined ? {} : { topP: options.topP }),
        ...(options.seed === undefined ? {} : { seed: options.seed }),
        ...(options.stop.length === 0 ? {} : { customStopTriggers: options.stop }),
        ...(options.ignoreEos ? { tokenBias: this.#eosBan(model) } : {}),
      });
      const stop = result.metadata.stopReason;
      const finishReason: FinishReason = signal.aborted
        ? "cancelled"
        : stop === "maxTokens"
          ? "length"
          : "stop";
      return { promptTokens, completionTokens, finishReason };
    } catch (err) {
      if (signal.aborted) return { promptTokens, completionTokens, finishReason: "cancelled" };
      throw new ChatServerError("EGENERATION", `generation failed: ${(err as Error).message}`, {
        cause: err,
      });
    } finally {
      this.#free.push(chat);
    }
  }

  /**
   * A token bias for `ignore_eos`: forbids every end-of-generation token and every control token
   * (a chat template may stop on one, such as ChatML's `<|im_start|>`).
   */
  #eosBan(model: LlamaModel): TokenBias {
    if (this.#noEos !== undefined) return this.#noEos;
    const bias = new TokenBias(model.tokenizer);
    const ggml = (
      model.fileInfo.metadata as unknown as {
        tokenizer?: { ggml?: { tokens?: readonly unknown[]; token_type?: readonly number[] } };
      }
    ).tokenizer?.ggml;
    const types = ggml?.token_type;
    const candidates: Token[] = [];
    for (let i = 0; i < (ggml?.tokens?.length ?? 0); i++) candidates.push(i as Token);
    for (const t of [model.tokens.eos, model.tokens.eot]) if (t !== null) candidates.push(t);
    // TokenBias.set() ignores end-of-generation tokens on purpose, so those go into its map
    // directly (an internal of node-llama-cpp 3.x; without it, ignore_eos only bans control tokens).
    const internal = (bias as unknown as { _biases?: unknown })._biases;
    for (const t of candidates) {
      if (model.isEogToken(t)) {
        if (internal instanceof Map) internal.set(t, -Infinity);
      } else if (types?.[t] === CONTROL_TOKEN) bias.set(t, "never");
    }
    this.#noEos = bias;
    return bias;
  }

  config(): Record<string, unknown> {
    return {
      backend: this.kind,
      model: this.#opts.model,
      model_file: this.#file ?? (isModelUri(this.#opts.model) ? null : this.#opts.model),
      models_dir: this.#opts.modelsDir ?? defaultModelsDir(),
      threads: this.#threads,
      gpu: this.#llama?.gpu ?? this.#opts.gpu ?? "auto",
      parallel: this.parallel,
      context_size: this.#context?.contextSize ?? this.#opts.contextSize ?? null,
      chat_template: this.#template ?? null,
    };
  }

  async close(): Promise<void> {
    for (const chat of this.#free.splice(0)) chat.dispose();
    await this.#context?.dispose();
    await this.#model?.dispose();
    await this.#llama?.dispose();
    this.#context = undefined;
    this.#model = undefined;
    this.#llama = undefined;
  }
}
