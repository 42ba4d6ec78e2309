/**
 * Errors of the MCP bridge: {@link McpBridgeError}, a `PipeToolError` with the bridge's codes.
 */
import { PipeToolError } from "named-pipe-tools";

/** Stable error codes of the bridge, each with its wire code. */
const WIRE_CODES = {
  /** Bad command-line arguments (the message says which and why). */
  EUSAGE: "bad_args",
  /** The wrapped stdio MCP server could not be started or listed. */
  EUPSTREAM: "upstream_error",
  /** The wrapped MCP server no longer offers the tool that was called. */
  ENOTOOL: "unknown_command",
  /**
   * The wrapped MCP server exited: calls in flight fail with it, and new calls until it has
   * been restarted.
   */
  ERESTARTING: "restarting",
} as const;

/** Stable error codes of the bridge. */
export type McpBridgeErrorCode = keyof typeof WIRE_CODES;

/** An error raised by the MCP bridge. */
export class McpBridgeError extends PipeToolError<McpBridgeErrorCode> {
  constructor(code: McpBridgeErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, { ...options, wireCode: WIRE_CODES[code] });
    this.name = "McpBridgeError";
  }
}
