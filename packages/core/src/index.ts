/**
 * named-pipe-tools: persistent local tool servers over named pipes.
 * @packageDocumentation
 */
export { ToolServer } from "./server/tool-server.js";
export { handler, command } from "./server/decorators.js";
export type {
  Handler,
  RequestContext,
  Sender,
  ServerLimits,
  ToolServerOptions,
} from "./server/types.js";
export { ToolClient } from "./client/tool-client.js";
export type {
  CallOptions,
  ConnectOptions,
  SessionOptions,
  StreamOptions,
} from "./client/tool-client.js";
export type { ClientTransport, TransportListener } from "./client/transport.js";
export { ToolStream } from "./client/stream.js";
export { PipeToolError, RemoteError } from "./errors.js";
export type { ErrorCode } from "./errors.js";
export { PROTOCOL_VERSION, WireErrorCode, isRecord, isTerminal } from "./protocol/messages.js";
export type { EventMessage, RequestId, RequestMessage } from "./protocol/messages.js";
export type { CommandDeclaration, EventDeclaration } from "./schema/command.js";
export type {
  ArgSpec,
  CommandSpec,
  EventSpec,
  InterfaceSpec,
  JsonTypeName,
} from "./schema/interface.js";
export { QUERY_BUILTINS, argJsonType } from "./schema/interface.js";
export {
  ATOMIC_WRITE_BYTES,
  PIPE_DIR_ENV,
  defaultPipeDir,
  validateToolName,
} from "./transport/paths.js";
export { privatePipeDir } from "./transport/private-dir.js";
export { BUILTIN_COMMANDS } from "./server/builtins.js";
export * from "./discovery/index.js";
export * from "./serve/index.js";
export { findProgram } from "./util/find-program.js";
export { shellWord } from "./util/shell-word.js";
