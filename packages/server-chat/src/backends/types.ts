/**
 * The contract between the chat server and a backend (embedded llama.cpp, or an HTTP endpoint).
 */

/** One chat message, as clients send it. */
export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/** Sampling and length options of one generation (already merged with the server defaults). */
export interface GenerationOptions {
  /** Most tokens to generate. */
  maxTokens: number;
  /** Sampling temperature; 0 is greedy. */
  temperature: number;
  /** Nucleus sampling threshold (0, 1]; undefined leaves the backend's default. */
  topP: number | undefined;
  /** Strings that end the reply (not included in it). */
  stop: readonly string[];
  /** Random seed, for reproducible sampling. */
  seed: number | undefined;
  /** Keep generating past end-of-generation tokens, up to `maxTokens` (benchmarks). */
  ignoreEos: boolean;
}

/** One generation request. */
export interface GenerateRequest {
  messages: readonly ChatMessage[];
  options: GenerationOptions;
  /** Aborts the generation (cancel, client gone, server stopping). */
  signal: AbortSignal;
  /** Receives the reply's text as it is generated. */
  onText: (text: string) => void;
}

/** Why a generation ended. */
export type FinishReason = "stop" | "length" | "cancelled";

/** What a finished generation reports. */
export interface GenerateResult {
  /** Tokens in the templated prompt, when the backend knows. */
  promptTokens: number | undefined;
  /** Tokens generated, when the backend knows. */
  completionTokens: number | undefined;
  finishReason: FinishReason;
}

/** A chat backend. */
export interface ChatBackend {
  /** Backend kind, as reported by `get_config`. */
  readonly kind: "llama" | "openai";
  /** How many `generate` calls may run at once; the server queues the rest. */
  readonly parallel: number;
  /** Prepares the backend (resolve, download, validate and load a model). */
  load(signal: AbortSignal): Promise<void>;
  /** Generates a reply; resolves when it ends (including by abort); rejects on failure. */
  generate(request: GenerateRequest): Promise<GenerateResult>;
  /** Configuration for `get_config`. Never contains secrets. */
  config(): Record<string, unknown>;
  /** Frees everything. */
  close(): Promise<void>;
}
