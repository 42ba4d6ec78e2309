/**
 * mcp-stdio: the official MCP TypeScript SDK. The client spawns the server as its child and talks
 * JSON-RPC over its stdin/stdout, as an MCP host does; `ping` is a tool call (`tools/call`).
 */
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { Conn, Family } from "./types.js";

const PEER = fileURLToPath(new URL("../peer/main.js", import.meta.url));

async function serve(_dir: string) {
  const server = new McpServer({ name: "bench", version: "1.0.0" });
  server.registerTool("ping", { description: "Answers pong" }, () => ({
    content: [{ type: "text", text: "pong" }],
  }));
  await server.connect(new StdioServerTransport());
  return { address: "stdio", close: () => server.close() };
}

async function connect(_address: string): Promise<Conn> {
  const client = new Client({ name: "bench-client", version: "1.0.0" });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [PEER, "serve", "mcp", "-"],
      stderr: "inherit",
    }),
  );
  return {
    async ping() {
      const result = await client.callTool({ name: "ping", arguments: {} });
      if (result.isError === true) throw new Error("MCP ping failed");
    },
    close: () => client.close(),
  };
}

/** MCP over stdio with the official SDK. */
export const family: Family = { serve, connect };
