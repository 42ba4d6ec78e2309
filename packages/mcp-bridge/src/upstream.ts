/**
 * Starting the wrapped stdio MCP server: spawn it, initialize within a time limit, list its
 * tools. Used for the first start and for every restart.
 */
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import { McpBridgeError } from "./errors.js";
import { VERSION } from "./version.js";

/** What to start and how. */
export interface LaunchSpec {
  /** The stdio MCP server: executable, then its arguments. */
  command: readonly [string, ...string[]];
  /** How long it has to answer initialize, and then tools/list, in ms. */
  initTimeoutMs: number;
  /** Where its stderr lines and progress messages go. */
  log: (line: string) => void;
}

/** A started MCP server: its connected client and its tools. */
export interface Launched {
  client: Client;
  tools: Tool[];
}

/** After this long without an answer to initialize, say that we are waiting (ms). */
const SLOW_NOTICE_MS = 5000;

/** Every tool, following `nextCursor`. */
export async function listAll(client: Client, timeoutMs?: number): Promise<Tool[]> {
  const tools: Tool[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listTools(
      cursor === undefined ? {} : { cursor },
      timeoutMs === undefined ? undefined : { timeout: timeoutMs },
    );
    tools.push(...page.tools);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return tools;
}

/** The full environment as strings: a wrapped server gets what the user's shell has. */
function environment(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  return env;
}

function whyNot(err: unknown, shown: string, timeoutMs: number): string {
  const start = `cannot start MCP server '${shown}'`;
  if (err instanceof McpError && err.code === (ErrorCode.RequestTimeout as number)) {
    return `${start}: it did not answer initialize within ${timeoutMs / 1000} s (is it a stdio MCP server? a slow one can be given longer with --init-timeout SECONDS)`;
  }
  if (err instanceof McpError && err.code === (ErrorCode.ConnectionClosed as number)) {
    return `${start}: it exited before answering initialize (its stderr, if any, is logged above)`;
  }
  return `${start}: ${err instanceof Error ? err.message : String(err)}`;
}

/**
 * Spawns the MCP server, initializes it and lists its tools, each within `initTimeoutMs`.
 * @throws McpBridgeError `EUPSTREAM` with a message that says why (no answer in time, exited,
 *   cannot be spawned); the process is ended before it throws.
 */
export async function launchUpstream(spec: LaunchSpec): Promise<Launched> {
  const [program, ...args] = spec.command;
  const shown = spec.command.join(" ");
  const transport = new StdioClientTransport({
    command: program,
    args,
    env: environment(),
    stderr: "pipe",
  });
  if (transport.stderr !== null) {
    createInterface({ input: transport.stderr as Readable }).on("line", (line) =>
      spec.log(`mcp: ${line}`),
    );
  }
  const client = new Client({ name: "named-pipe-tools", version: VERSION }, { capabilities: {} });
  const notice = setTimeout(
    () =>
      spec.log(
        `waiting for '${shown}' to answer initialize (giving up after ${spec.initTimeoutMs / 1000} s)`,
      ),
    Math.min(SLOW_NOTICE_MS, spec.initTimeoutMs / 2),
  );
  try {
    await client.connect(transport, { timeout: spec.initTimeoutMs });
    return { client, tools: await listAll(client, spec.initTimeoutMs) };
  } catch (err) {
    await client.close().catch(() => undefined);
    throw new McpBridgeError("EUPSTREAM", whyNot(err, shown, spec.initTimeoutMs), { cause: err });
  } finally {
    clearTimeout(notice);
  }
}
