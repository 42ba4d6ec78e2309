/**
 * Errors of the MCP bridge: one class with a stable `code`, like the core's `PipeToolError`.
 */

/** Stable error codes of the bridge. */
export type McpBridgeErrorCode =
  /** Bad command-line arguments (the message says which and why). */
  | "EUSAGE"
  /** The wrapped stdio MCP server could not be started or listed. */
  | "EUPSTREAM"
  /** The wrapped MCP server no longer offers the tool that was called. */
  | "ENOTOOL";

/** An error raised by the MCP bridge. */
export class McpBridgeError extends Error {
  /** Stable, machine-readable error code. */
  readonly code: McpBridgeErrorCode;

  constructor(code: McpBridgeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = "McpBridgeError";
  }
}
