#!/usr/bin/env node
/**
 * `node wrap-main.js [--name N] [--dir D] [--description TEXT] [--init-timeout S] -- cmd args...`:
 * the same as `cpipe --serve mcp`. Prints `ready <upstream path>` on stdout once it serves;
 * restarts the MCP server when it exits; stops on SIGINT, SIGTERM or `stop`.
 */
import { McpBridgeError } from "./errors.js";
import { startWrap } from "./wrap.js";

try {
  const server = await startWrap(process.argv.slice(2));
  process.stdout.write(`ready ${server.paths.upstream}\n`);
  await server.closed;
  await server.close(); // also waits for the MCP server to end
} catch (err) {
  process.stderr.write(`cpipe-mcp-wrap: ${(err as Error).message}\n`);
  process.exitCode = err instanceof McpBridgeError && err.code === "EUSAGE" ? 2 : 1;
}
