/**
 * The chat server's options, declared for the core's option parser (`cpipe --serve chat`, a
 * config file, the dashboard's launch form), and the checks that span several of them.
 */
import type { OptionSpec } from "named-pipe-tools";
import type { GpuOption } from "./backends/llama/llama-backend.js";
import { ChatServerError } from "./errors.js";

/** The chat server's configuration, after merging and checking. */
export interface ChatConfig {
  /** Tool name ["chat"]. */
  name?: string;
  /** Pipe directory. */
  dir?: string;
  /** Which backend ["llama", or "openai" when baseUrl is set]. */
  backend: "llama" | "openai";
  /** llama: GGUF path or URI; openai: the upstream model name. */
  model?: string;
  /** llama: download cache. */
  modelsDir?: string;
  /** llama: CPU threads. */
  threads?: number;
  /** llama: GPU backend. */
  gpu?: GpuOption;
  /** llama: context size per sequence, tokens. */
  contextSize?: number;
  /** Generations at once (llama: sequences; openai: concurrent requests). */
  parallel?: number;
  /** llama: check the model in a child process first [true]. */
  probe?: boolean;
  /** openai: base URL including /v1. */
  baseUrl?: string;
  /** openai: environment variable holding the API key [OPENAI_API_KEY]. */
  apiKeyEnv?: string;
  /** Requests allowed to wait [64]. */
  maxQueue?: number;
  /** Default max_tokens [256]. */
  maxTokens?: number;
  /** Default temperature [0]. */
  temperature?: number;
  /** Default top_p. */
  topP?: number;
  /** Default seed. */
  seed?: number;
}

/** The chat server's options (`cpipe --serve chat --help` shows them). */
export const CHAT_OPTIONS: readonly OptionSpec[] = [
  {
    flag: "model",
    type: "string",
    placeholder: "PATH|URI",
    path: true,
    description:
      "llama: a GGUF file, or a URI node-llama-cpp resolves (hf:user/repo/file.gguf), downloaded on first use; openai: the upstream model name",
  },
  {
    flag: "backend",
    type: "string",
    choices: ["llama", "openai"],
    description: "llama, or openai when --base-url is given",
  },
  {
    flag: "base-url",
    type: "string",
    placeholder: "URL",
    description: "openai: an OpenAI-compatible endpoint, e.g. http://127.0.0.1:11434/v1",
  },
  {
    flag: "api-key-env",
    type: "string",
    placeholder: "NAME",
    default: "OPENAI_API_KEY",
    description: "openai: the environment variable holding the API key",
  },
  {
    flag: "models-dir",
    type: "string",
    placeholder: "DIR",
    path: true,
    default: "~/.node-llama-cpp/models",
    description: "llama: download cache",
  },
  {
    flag: "threads",
    type: "integer",
    min: 1,
    description: "llama: CPU threads [1 on up to 2 cores, else about half the cores]",
  },
  {
    flag: "gpu",
    type: "string",
    choices: ["auto", "false", "cuda", "vulkan", "metal"],
    default: "auto",
    description: "llama: GPU backend",
  },
  {
    flag: "context-size",
    type: "integer",
    min: 1,
    description: "llama: context tokens per sequence [the model's, at most 4096]",
  },
  {
    flag: "parallel",
    type: "integer",
    min: 1,
    description: "generations at once (llama sequences / upstream requests) [1 / 4]",
  },
  {
    flag: "probe",
    type: "boolean",
    default: true,
    description: "llama: check the model in a child process first (--no-probe skips it)",
  },
  {
    flag: "max-queue",
    type: "integer",
    min: 0,
    default: 64,
    description: "requests allowed to wait for a generation slot",
  },
  {
    flag: "max-tokens",
    type: "integer",
    min: 1,
    default: 256,
    description: "default max_tokens of a request",
  },
  { flag: "temperature", type: "number", min: 0, default: 0, description: "default temperature" },
  { flag: "top-p", type: "number", min: 0, max: 1, description: "default top_p" },
  { flag: "seed", type: "integer", description: "default seed" },
];

function bad(message: string): ChatServerError {
  return new ChatServerError("EUSAGE", message);
}

/**
 * Checks what depends on several options and applies the backend default.
 * @throws ChatServerError `EUSAGE` naming the options
 */
export function checkChatConfig(options: Partial<ChatConfig>): ChatConfig {
  const out: Partial<ChatConfig> = { ...options };
  out.backend ??= out.baseUrl !== undefined ? "openai" : "llama";
  if (out.backend !== "llama" && out.backend !== "openai") {
    throw bad(`--backend must be llama or openai, got '${String(out.backend)}'`);
  }
  const gpu = options.gpu as unknown;
  if (gpu !== undefined) {
    if (gpu === "false" || gpu === false) out.gpu = false;
    else if (!["auto", "cuda", "vulkan", "metal"].includes(gpu as string)) {
      throw bad(`--gpu must be auto, false, cuda, vulkan or metal, got ${JSON.stringify(gpu)}`);
    }
  }
  if (out.model === undefined || out.model === "") {
    throw bad(
      out.backend === "llama"
        ? "no model: give --model PATH|URI (a GGUF file, or hf:user/repo/file.gguf)"
        : "no model: give --model NAME (the upstream model name)",
    );
  }
  if (out.backend === "openai" && out.baseUrl === undefined)
    throw bad("the openai backend needs --base-url");
  return out as ChatConfig;
}
