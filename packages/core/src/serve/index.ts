/**
 * Serving: the server-type contract, its option parsing and the process main that every server
 * type shares.
 */
export { parseServeArgs, optionKey } from "./parse-options.js";
export type { ParsedServeArgs } from "./parse-options.js";
export { runServerMain, runServerType, ServeExit } from "./run-main.js";
export type { RunIo } from "./run-main.js";
export type {
  OptionSpec,
  OptionType,
  RestSpec,
  ServeCommon,
  ServeOptions,
  ServerType,
} from "./server-type.js";
export { formatServeUsage } from "./usage.js";
export { KNOWN_SERVER_TYPES, loadPackage, loadServerType } from "./load-type.js";
export type { KnownServerType } from "./load-type.js";
export { findPackage, installCommand } from "./packages.js";
