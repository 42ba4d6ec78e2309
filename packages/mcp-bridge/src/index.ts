/**
 * named-pipe-tools-mcp: the MCP bridge of named-pipe-tools.
 * - `runMcpBridge` (`cpipe mcp`): an MCP stdio server exposing the running pipe tools.
 * - `serverType` (`cpipe --serve mcp -- cmd`): a stdio MCP server wrapped as a pipe tool.
 * @packageDocumentation
 */
export { runMcpBridge } from "./run-bridge.js";
export { serverType } from "./serve-type.js";
export { PipeBridge } from "./bridge.js";
export type { PipeBridgeOptions } from "./bridge.js";
export { startWrap } from "./wrap.js";
export type { WrapOptions } from "./wrap.js";
export { McpWrapServer, pipeCommandName } from "./wrap-server.js";
export type { McpWrapServerOptions } from "./wrap-server.js";
export { mcpToolName } from "./naming.js";
export { McpBridgeError } from "./errors.js";
export type { McpBridgeErrorCode } from "./errors.js";
