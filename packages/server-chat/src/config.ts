/**
 * Configuration of the chat server from CLI flags and a JSON config file (`--config FILE`,
 * whose keys are the long flag names); flags win over the file.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import type { GpuOption } from "./backends/llama/llama-backend.js";
import { isModelUri } from "./backends/llama/model-source.js";
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

type Kind = "string" | "int" | "number" | "boolean";

/** Every option: long flag name -> [config key, kind]. */
const OPTIONS: Readonly<Record<string, readonly [keyof ChatConfig, Kind]>> = {
  name: ["name", "string"],
  dir: ["dir", "string"],
  backend: ["backend", "string"],
  model: ["model", "string"],
  "models-dir": ["modelsDir", "string"],
  threads: ["threads", "int"],
  gpu: ["gpu", "string"],
  "context-size": ["contextSize", "int"],
  parallel: ["parallel", "int"],
  probe: ["probe", "boolean"],
  "base-url": ["baseUrl", "string"],
  "api-key-env": ["apiKeyEnv", "string"],
  "max-queue": ["maxQueue", "int"],
  "max-tokens": ["maxTokens", "int"],
  temperature: ["temperature", "number"],
  "top-p": ["topP", "number"],
  seed: ["seed", "int"],
};

/** Usage of the options, for `--help`. */
export const CHAT_USAGE = `Options of the chat server:
  --model PATH|URI       llama: a GGUF file, or a URI node-llama-cpp resolves (hf:user/repo/file.gguf),
                         downloaded on first use; openai: the upstream model name
  --backend llama|openai default llama; openai when --base-url is given
  --base-url URL         openai: an OpenAI-compatible endpoint, e.g. http://127.0.0.1:11434/v1
  --api-key-env NAME     openai: environment variable with the API key [OPENAI_API_KEY]
  --models-dir DIR       llama: download cache [~/.node-llama-cpp/models]
  --threads N            llama: CPU threads [1 on <= 2 cores, else about half the cores]
  --gpu auto|false|cuda|vulkan|metal   llama: GPU backend [auto]
  --context-size N       llama: context tokens per sequence [model's, at most 4096]
  --parallel N           generations at once (llama sequences / upstream requests) [1 / 4]
  --no-probe             llama: skip checking the model in a child process
  --max-queue N          requests allowed to wait for a slot [64]
  --max-tokens N  --temperature T  --top-p P  --seed N   defaults of the per-request options [256, 0]
  --config FILE          JSON file with any of these options (keys: the long flag names); flags win
  --name NAME  --dir DIR tool name [chat] and pipe directory`;

function bad(message: string): ChatServerError {
  return new ChatServerError("bad_config", message);
}

function convert(flag: string, kind: Kind, value: unknown): unknown {
  switch (kind) {
    case "string":
      if (typeof value !== "string" || value === "") {
        throw bad(`--${flag} must be a non-empty string, got ${JSON.stringify(value)}`);
      }
      return value;
    case "boolean":
      if (typeof value !== "boolean")
        throw bad(`${flag} must be true or false, got ${JSON.stringify(value)}`);
      return value;
    case "int":
    case "number": {
      const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
      if (
        typeof n !== "number" ||
        !Number.isFinite(n) ||
        (kind === "int" && !Number.isInteger(n))
      ) {
        throw bad(
          `--${flag} must be ${kind === "int" ? "an integer" : "a number"}, got ${JSON.stringify(value)}`,
        );
      }
      return n;
    }
  }
}

/** Reads a JSON config file into long-flag-name -> value. Relative model paths are resolved against its directory. */
export function readConfigFile(file: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw bad(`cannot read config file ${file}: ${(err as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw bad(`config file ${file} must hold a JSON object`);
  }
  const out: Record<string, unknown> = { ...(parsed as Record<string, unknown>) };
  const base = path.dirname(path.resolve(file));
  for (const key of ["model", "models-dir"]) {
    const v = out[key];
    if (
      typeof v === "string" &&
      !isModelUri(v) &&
      !path.isAbsolute(v) &&
      out["base-url"] === undefined
    ) {
      out[key] = path.resolve(base, v);
    }
  }
  return out;
}

function check(raw: Record<string, unknown>): ChatConfig {
  const config: Partial<Record<keyof ChatConfig, unknown>> = {};
  for (const [flag, value] of Object.entries(raw)) {
    const spec = OPTIONS[flag];
    if (spec === undefined) throw bad(`unknown option '${flag}'`);
    if (value === undefined) continue;
    config[spec[0]] = convert(flag, spec[1], value);
  }
  const out = config as Partial<ChatConfig>;
  out.backend ??= out.baseUrl !== undefined ? "openai" : "llama";
  if (out.backend !== "llama" && out.backend !== "openai") {
    throw bad(`--backend must be llama or openai, got '${String(out.backend)}'`);
  }
  const gpu = out.gpu as unknown;
  if (gpu !== undefined) {
    if (gpu === "false") out.gpu = false;
    else if (!["auto", "cuda", "vulkan", "metal"].includes(gpu as string)) {
      throw bad(`--gpu must be auto, false, cuda, vulkan or metal, got ${JSON.stringify(gpu)}`);
    }
  }
  for (const key of ["threads", "contextSize", "parallel"] as const) {
    const v = out[key];
    if (v !== undefined && v < 1) throw bad(`${key} must be at least 1, got ${v}`);
  }
  if (out.maxQueue !== undefined && out.maxQueue < 0)
    throw bad(`max-queue must be >= 0, got ${out.maxQueue}`);
  if (out.maxTokens !== undefined && out.maxTokens < 1)
    throw bad(`max-tokens must be >= 1, got ${out.maxTokens}`);
  if (out.model === undefined) {
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

/**
 * Parses `--serve chat` options (and `--config FILE`); flags win over the file.
 * @throws ChatServerError `bad_config` naming the option and the bad value
 */
export function parseChatArgs(args: readonly string[]): ChatConfig {
  const options: Record<string, { type: "string" | "boolean" }> = { config: { type: "string" } };
  for (const [flag, [, kind]] of Object.entries(OPTIONS)) {
    options[flag] = { type: kind === "boolean" ? "boolean" : "string" };
  }
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({ args: [...args], options, allowNegative: true, strict: true }));
  } catch (err) {
    throw bad((err as Error).message);
  }
  const fromFile = typeof values["config"] === "string" ? readConfigFile(values["config"]) : {};
  delete values["config"];
  return check({ ...fromFile, ...values });
}

/** Checks a configuration given as an object (keys: long flag names or ChatConfig keys). */
export function checkChatConfig(raw: Record<string, unknown>): ChatConfig {
  const byFlag: Record<string, unknown> = {};
  const flagOf = new Map(Object.entries(OPTIONS).map(([flag, [key]]) => [key as string, flag]));
  for (const [k, v] of Object.entries(raw)) byFlag[flagOf.get(k) ?? k] = v;
  return check(byFlag);
}
