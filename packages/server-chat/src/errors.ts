/**
 * Errors of the chat server: {@link ChatServerError}, a `PipeToolError` with the chat server's
 * own codes. Its `wireCode` is what an error reply carries (`{"event":"error","code":...}`).
 */
import { PipeToolError } from "named-pipe-tools";

/** Stable error codes of the chat server, each with its wire code. */
const WIRE_CODES = {
  /** A model file is missing, unreadable or not a valid GGUF file. */
  EBADMODEL: "bad_model",
  /** The model could not be resolved, downloaded or loaded. */
  EMODELLOAD: "model_load_failed",
  /** A request came while the backend had failed to load. */
  ENOTREADY: "not_ready",
  /** Too many requests are waiting. */
  EQUEUEFULL: "queue_full",
  /** The upstream HTTP server answered with an error. */
  EUPSTREAM: "upstream_error",
  /** The connection to the upstream HTTP server failed or dropped mid-stream. */
  EUPSTREAMGONE: "upstream_disconnected",
  /** Generation failed inside the backend. */
  EGENERATION: "generation_failed",
  /** A bad option or configuration value (a usage error: cpipe exits 2). */
  EUSAGE: "bad_args",
} as const;

/** Stable error codes of the chat server. */
export type ChatErrorCode = keyof typeof WIRE_CODES;

/** An error of the chat server, with a stable {@link ChatErrorCode}. */
export class ChatServerError extends PipeToolError<ChatErrorCode> {
  constructor(code: ChatErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, { ...options, wireCode: WIRE_CODES[code] });
    this.name = "ChatServerError";
  }
}
