/**
 * The `mcp` server type of `cpipe --serve`.
 */
import type { ToolServer } from "../../../src/server/tool-server.js";
import { WRAP_USAGE } from "./args.js";
import type { WrapCommon } from "./wrap.js";
import { startWrap } from "./wrap.js";

/** A server type `cpipe --serve TYPE` can start. */
export interface McpServerType {
  name: "mcp";
  description: string;
  usage: string;
  /**
   * Starts it. `args` is everything after `--serve mcp`: options (`--name`, `--dir`,
   * `--description`), `--`, then the stdio MCP server's command. Resolves once it listens.
   */
  start(args: string[], common: WrapCommon): Promise<ToolServer>;
}

/** `cpipe --serve mcp -- <command ...>`: a stdio MCP server as a persistent pipe tool. */
export const serverType: McpServerType = {
  name: "mcp",
  description: "Wrap a stdio MCP server: its tools become pipe commands, loaded once and shared",
  usage: WRAP_USAGE,
  start: (args, common) => startWrap(args, common),
};
