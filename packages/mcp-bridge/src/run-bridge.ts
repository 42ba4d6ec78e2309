/**
 * `cpipe mcp`: serves MCP on stdin/stdout until the host closes stdin.
 */
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { BRIDGE_USAGE, parseBridgeArgs } from "./args.js";
import { PipeBridge } from "./bridge.js";
import { McpBridgeError } from "./errors.js";

const HELP = `usage: ${BRIDGE_USAGE}

An MCP server over stdio for MCP hosts (Claude Code, Claude Desktop, Cursor, ...). It exposes
the commands of the running pipe tools (all of them, or the NAMEs given) as MCP tools named
<tool>__<command>, and follows tools as they start and stop. A nats://HOST:PORT/NAME
bridges a tool another machine exports (needs the package named-pipe-tools-nats).
`;

/** Resolves when the host is gone: stdin ended or the MCP connection closed. */
function hostGone(bridge: PipeBridge): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      process.off("SIGINT", done);
      process.off("SIGTERM", done);
      resolve();
    };
    process.stdin.once("end", done);
    process.stdin.once("close", done);
    // Hosts end a server by closing stdin, then by a signal: leave cleanly either way.
    process.once("SIGINT", done);
    process.once("SIGTERM", done);
    bridge.server.onclose = done;
  });
}

/**
 * `cpipe mcp [--dir DIR] [NAME...]`: runs the MCP stdio server until stdin closes.
 * Resolves with an exit code (2 for bad arguments). Diagnostics go to stderr.
 */
export async function runMcpBridge(args: string[], common: { dir?: string } = {}): Promise<number> {
  let parsed;
  try {
    parsed = parseBridgeArgs(args, common);
  } catch (err) {
    if (!(err instanceof McpBridgeError)) throw err;
    process.stderr.write(`cpipe mcp: ${err.message}\n`);
    return 2;
  }
  if (parsed.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const bridge = new PipeBridge({
    ...(parsed.dir === undefined ? {} : { dir: parsed.dir }),
    ...(parsed.names === undefined ? {} : { names: parsed.names }),
    remote: parsed.remote,
  });
  const gone = hostGone(bridge);
  await bridge.start(new StdioServerTransport());
  await gone;
  await bridge.close();
  return 0;
}
