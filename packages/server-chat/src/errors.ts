/**
 * Errors of the chat server. Each has a stable lowercase `code`, which the core puts on the wire
 * in the error event (`{"event":"error","code":...}`).
 */

/** Stable error codes of the chat server. */
export type ChatErrorCode =
  /** A model file is missing, unreadable or not a valid GGUF file. */
  | "bad_model"
  /** The model could not be resolved, downloaded or loaded. */
  | "model_load_failed"
  /** A request came while the backend had failed to load. */
  | "not_ready"
  /** Too many requests are waiting. */
  | "queue_full"
  /** The upstream HTTP server answered with an error. */
  | "upstream_error"
  /** The connection to the upstream HTTP server failed or dropped mid-stream. */
  | "upstream_disconnected"
  /** Generation failed inside the backend. */
  | "generation_failed"
  /** A bad option or configuration value. */
  | "bad_config";

/** An error of the chat server, with a stable {@link ChatErrorCode}. */
export class ChatServerError extends Error {
  /** Stable, machine-readable code (also sent on the wire). */
  readonly code: ChatErrorCode;

  constructor(code: ChatErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = "ChatServerError";
  }
}
