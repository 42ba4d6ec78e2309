/**
 * Errors of the MCP bridge: a {@link PipeToolError} with the bridge's own stable codes.
 */
import { PipeToolError } from "named-pipe-tools";

/** Stable error codes of the bridge. */
export type McpBridgeErrorCode =
  /** Bad command-line arguments (the message says which and why). */
  | "EUSAGE"
  /** The wrapped stdio MCP server could not be started or listed. */
  | "EUPSTREAM"
  /** The wrapped MCP server no longer offers the tool that was called. */
  | "ENOTOOL"
  /**
   * The wrapped MCP server exited: calls in flight fail with it, and new calls until it has
   * been restarted (wire code `restarting`).
   */
  | "ERESTARTING";

const WIRE_CODES: Partial<Record<McpBridgeErrorCode, string>> = {
  EUSAGE: "bad_args",
  EUPSTREAM: "upstream_error",
  ENOTOOL: "unknown_command",
  ERESTARTING: "restarting",
};

/** An error raised by the MCP bridge. */
export class McpBridgeError extends PipeToolError<McpBridgeErrorCode> {
  constructor(code: McpBridgeErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, { ...options, wireCode: WIRE_CODES[code] ?? "handler_error" });
    this.name = "McpBridgeError";
  }
}
