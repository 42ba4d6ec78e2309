/**
 * The `mcp` server type of `cpipe --serve`.
 */
import type { ServerType } from "named-pipe-tools";
import { WRAP_USAGE } from "./args.js";
import { startWrap } from "./wrap.js";

/** `cpipe --serve mcp -- <command ...>`: a stdio MCP server as a persistent pipe tool. */
/**
 * `args` is everything after `--serve mcp`: options (`--name`, `--dir`, `--description`), `--`,
 * then the stdio MCP server's command.
 */
export const serverType: ServerType = {
  name: "mcp",
  description: "Wrap a stdio MCP server: its tools become pipe commands, loaded once and shared",
  usage: WRAP_USAGE,
  start: (args, common) => startWrap(args, common),
};
