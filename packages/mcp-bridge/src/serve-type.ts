/**
 * The `mcp` server type of `cpipe --serve`.
 */
import type { ServerType } from "named-pipe-tools";
import { DEFAULT_INIT_TIMEOUT_MS } from "./args.js";
import { startWrap } from "./wrap.js";

/** `cpipe --serve mcp -- <command ...>`: a stdio MCP server as a persistent pipe tool. */
export const serverType: ServerType<{ description: string; initTimeout: number }> = {
  name: "mcp",
  description: "Wrap a stdio MCP server: its tools become pipe commands, loaded once and shared",
  options: [
    {
      flag: "description",
      type: "string",
      description: "the tool's description [the MCP server's name and version]",
    },
    {
      flag: "init-timeout",
      type: "number",
      min: 0.001,
      placeholder: "SECONDS",
      default: DEFAULT_INIT_TIMEOUT_MS / 1000,
      description: "how long the MCP server has to answer initialize and list its tools",
    },
  ],
  rest: { name: "COMMAND [ARGS...]", description: "the stdio MCP server to run", required: true },
  start: ({ rest, initTimeout, ...options }) =>
    startWrap({
      ...options,
      command: rest ?? [],
      ...(initTimeout === undefined ? {} : { initTimeoutMs: initTimeout * 1000 }),
    }),
};
