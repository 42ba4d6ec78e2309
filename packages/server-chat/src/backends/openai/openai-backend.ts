/**
 * The HTTP backend: any OpenAI-compatible `/v1/chat/completions` endpoint with streaming
 * (Ollama, llama.cpp's llama-server, vLLM, LM Studio, ...). Upstream error statuses, refused and
 * dropped connections, and streams that end without `[DONE]` become `ChatServerError`s, which
 * the server sends as error events.
 */
import { ChatServerError } from "../../errors.js";
import type { ChatBackend, FinishReason, GenerateRequest, GenerateResult } from "../types.js";
import { sseData } from "./sse.js";

/** Options of {@link OpenAIBackend}. Defaults in brackets. */
export interface OpenAIBackendOptions {
  /** Base URL including the version path, e.g. `http://127.0.0.1:11434/v1`. */
  baseUrl: string;
  /** Model name sent upstream. */
  model: string;
  /** Environment variable holding the API key [OPENAI_API_KEY]; unset or empty sends none. */
  apiKeyEnv?: string;
  /** Concurrent upstream requests [4]. */
  parallel?: number;
  /** Time allowed for the upstream to answer with headers, in ms [60000]. */
  connectTimeoutMs?: number;
}

interface StreamChunk {
  choices?: { delta?: { content?: unknown }; finish_reason?: unknown }[];
  usage?: { prompt_tokens?: unknown; completion_tokens?: unknown } | null;
  error?: unknown;
}

function count(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** Extracts a readable message from an upstream error body. */
function upstreamMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as {
      error?: { message?: unknown } | string;
      message?: unknown;
    };
    const err = parsed.error;
    if (typeof err === "string") return err;
    if (typeof err?.message === "string") return err.message;
    if (typeof parsed.message === "string") return parsed.message;
  } catch {
    // not JSON: use the text
  }
  return body.trim().slice(0, 300) || "(empty body)";
}

/** The OpenAI-compatible HTTP backend. */
export class OpenAIBackend implements ChatBackend {
  readonly kind = "openai";
  readonly parallel: number;
  readonly #opts: OpenAIBackendOptions;
  readonly #url: string;

  constructor(options: OpenAIBackendOptions) {
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch {
      throw new ChatServerError("EUSAGE", `--base-url must be a URL, got '${options.baseUrl}'`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new ChatServerError("EUSAGE", `--base-url must be http(s), got '${options.baseUrl}'`);
    }
    if (typeof options.model !== "string" || options.model === "") {
      throw new ChatServerError("EUSAGE", "the openai backend needs a model name (--model)");
    }
    this.#opts = options;
    this.#url = `${options.baseUrl.replace(/\/+$/, "")}/chat/completions`;
    this.parallel = options.parallel ?? 4;
  }

  async load(): Promise<void> {
    // Nothing to load; the endpoint is contacted per request.
  }

  #apiKey(): string | undefined {
    const value = process.env[this.#opts.apiKeyEnv ?? "OPENAI_API_KEY"];
    return value === undefined || value === "" ? undefined : value;
  }

  async generate(request: GenerateRequest): Promise<GenerateResult> {
    const { messages, options, signal, onText } = request;
    const body: Record<string, unknown> = {
      model: this.#opts.model,
      messages,
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: options.maxTokens,
      temperature: options.temperature,
    };
    if (options.topP !== undefined) body["top_p"] = options.topP;
    if (options.stop.length > 0) body["stop"] = options.stop;
    if (options.seed !== undefined) body["seed"] = options.seed;
    if (options.ignoreEos) body["ignore_eos"] = true; // llama-server, vLLM
    const headers: Record<string, string> = {
      "content-type": "application/json",
      accept: "text/event-stream",
    };
    const key = this.#apiKey();
    if (key !== undefined) headers["authorization"] = `Bearer ${key}`;

    const connect = new AbortController();
    const timer = setTimeout(
      () => connect.abort(new Error("no answer in time")),
      this.#opts.connectTimeoutMs ?? 60_000,
    );
    let response: Response;
    try {
      response = await fetch(this.#url, {
        method: "POST",
        headers,
        body: JSON.stringify(body),
        signal: AbortSignal.any([signal, connect.signal]),
      });
    } catch (err) {
      if (signal.aborted)
        return { promptTokens: undefined, completionTokens: 0, finishReason: "cancelled" };
      throw this.#dropped(err, "cannot reach");
    } finally {
      clearTimeout(timer);
    }
    if (!response.ok || response.body === null) {
      const text = await response.text().catch(() => "");
      throw new ChatServerError(
        "EUPSTREAM",
        `upstream ${this.#url} answered ${response.status} ${response.statusText}: ${upstreamMessage(text)}`,
      );
    }

    let promptTokens: number | undefined;
    let completionTokens: number | undefined;
    let chunks = 0;
    let finish: FinishReason = "stop";
    let sawDone = false;
    try {
      for await (const data of sseData(response.body)) {
        if (data.trim() === "[DONE]") {
          sawDone = true;
          break;
        }
        let chunk: StreamChunk;
        try {
          chunk = JSON.parse(data) as StreamChunk;
        } catch {
          throw new ChatServerError(
            "EUPSTREAM",
            `upstream sent a malformed event: ${data.slice(0, 200)}`,
          );
        }
        if (chunk.error !== undefined && chunk.error !== null) {
          throw new ChatServerError(
            "EUPSTREAM",
            `upstream error: ${upstreamMessage(JSON.stringify({ error: chunk.error }))}`,
          );
        }
        const choice = chunk.choices?.[0];
        const text = choice?.delta?.content;
        if (typeof text === "string" && text !== "") {
          chunks++;
          onText(text);
        }
        if (choice?.finish_reason === "length") finish = "length";
        if (chunk.usage) {
          promptTokens = count(chunk.usage.prompt_tokens) ?? promptTokens;
          completionTokens = count(chunk.usage.completion_tokens) ?? completionTokens;
        }
      }
    } catch (err) {
      if (signal.aborted)
        return { promptTokens, completionTokens: chunks, finishReason: "cancelled" };
      if (err instanceof ChatServerError) throw err;
      throw this.#dropped(err, "lost the connection to");
    }
    if (signal.aborted)
      return { promptTokens, completionTokens: chunks, finishReason: "cancelled" };
    if (!sawDone) {
      throw new ChatServerError(
        "EUPSTREAMGONE",
        `upstream ${this.#url} closed the stream before [DONE]`,
      );
    }
    return { promptTokens, completionTokens: completionTokens ?? chunks, finishReason: finish };
  }

  #dropped(err: unknown, what: string): ChatServerError {
    const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
    const detail =
      typeof cause?.code === "string"
        ? cause.code
        : typeof cause?.message === "string"
          ? cause.message
          : (err as Error).message;
    return new ChatServerError("EUPSTREAMGONE", `${what} upstream ${this.#url}: ${detail}`, {
      cause: err,
    });
  }

  config(): Record<string, unknown> {
    const keyEnv = this.#opts.apiKeyEnv ?? "OPENAI_API_KEY";
    return {
      backend: this.kind,
      base_url: this.#opts.baseUrl,
      model: this.#opts.model,
      api_key_env: keyEnv,
      api_key_set: this.#apiKey() !== undefined,
      parallel: this.parallel,
    };
  }

  async close(): Promise<void> {
    // Requests in flight are aborted through their signals.
  }
}
