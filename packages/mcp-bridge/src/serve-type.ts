/**
 * The `mcp` server type of `cpipe --serve`.
 */
import type { ServerType } from "named-pipe-tools";
import { startWrap } from "./wrap.js";

/** `cpipe --serve mcp -- <command ...>`: a stdio MCP server as a persistent pipe tool. */
export const serverType: ServerType<{ description: string }> = {
  name: "mcp",
  description: "Wrap a stdio MCP server: its tools become pipe commands, loaded once and shared",
  options: [
    {
      flag: "description",
      type: "string",
      description: "the tool's description [the MCP server's name and version]",
    },
  ],
  rest: { name: "COMMAND [ARGS...]", description: "the stdio MCP server to run", required: true },
  start: ({ rest, ...options }) => startWrap({ ...options, command: rest ?? [] }),
};
