/**
 * `cpipe --serve mcp -- <command ...>`: runs a stdio MCP server once and serves its tools as a
 * persistent pipe tool, shared by every pipe client.
 */
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import type { ServeCommon } from "named-pipe-tools";
import { deriveName } from "./args.js";
import { McpBridgeError } from "./errors.js";
import { VERSION } from "./version.js";
import { McpWrapServer } from "./wrap-server.js";

/** Options `cpipe --serve mcp` passes. */
/** What {@link startWrap} takes: `cpipe --serve mcp`'s options. */
export interface WrapOptions extends ServeCommon {
  /** The stdio MCP server to run: executable, then its arguments. */
  command: readonly string[];
  /** The tool's description [the MCP server's name and version, and how many tools]. */
  description?: string;
}

async function listAll(client: Client): Promise<Tool[]> {
  const tools: Tool[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listTools(cursor === undefined ? {} : { cursor });
    tools.push(...page.tools);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return tools;
}

function helpText(
  name: string,
  command: readonly string[],
  client: Client,
  tools: readonly Tool[],
): string {
  const lines = [
    `# ${name}`,
    "",
    `The stdio MCP server \`${command.join(" ")}\`, served as a pipe tool.`,
  ];
  const instructions = client.getInstructions();
  if (instructions !== undefined && instructions !== "") lines.push("", instructions);
  lines.push("", "Commands (MCP tools):");
  for (const tool of tools) lines.push(`- ${tool.name}: ${tool.description ?? ""}`);
  return `${lines.join("\n")}\n`;
}

/** The full environment as strings: a wrapped server gets what the user's shell has. */
function environment(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  return env;
}

/**
 * Spawns the stdio MCP server `options.command`, lists its tools, and serves them as pipe
 * commands. Resolves once the pipe server listens; closing it ends the MCP server too.
 * @throws McpBridgeError `EUSAGE` for bad arguments, `EUPSTREAM` when the MCP server cannot be
 *   started or listed; PipeToolError `EINUSE` when the tool name is already served.
 */
export async function startWrap(options: WrapOptions): Promise<McpWrapServer> {
  const [program, ...programArgs] = options.command;
  if (program === undefined) throw new McpBridgeError("EUSAGE", "no MCP server command given");
  const parsed = { ...options, command: [program, ...programArgs] };
  const name = options.name ?? deriveName(parsed.command);
  const log = options.log ?? ((line: string) => process.stderr.write(`[${name}] ${line}\n`));
  const transport = new StdioClientTransport({
    command: program,
    args: programArgs,
    env: environment(),
    stderr: "pipe",
  });
  if (transport.stderr !== null) {
    createInterface({ input: transport.stderr as Readable }).on("line", (line) =>
      log(`mcp: ${line}`),
    );
  }
  const upstream = new Client({ name: "named-pipe-tools", version: VERSION }, { capabilities: {} });
  let tools: Tool[];
  try {
    await upstream.connect(transport);
    tools = await listAll(upstream);
  } catch (err) {
    await upstream.close().catch(() => undefined);
    throw new McpBridgeError(
      "EUPSTREAM",
      `cannot start MCP server '${parsed.command.join(" ")}': ${(err as Error).message}`,
      { cause: err },
    );
  }
  const info = upstream.getServerVersion();
  const server = new McpWrapServer({
    name,
    upstream,
    description:
      parsed.description ??
      `MCP server ${info?.name ?? program}${info?.version === undefined ? "" : ` ${info.version}`} (${tools.length} tools)`,
    help: helpText(name, parsed.command, upstream, tools),
    log,
    ...(parsed.dir === undefined ? {} : { dir: parsed.dir }),
  });
  for (const problem of server.setTools(tools)) log(problem);
  upstream.setNotificationHandler(ToolListChangedNotificationSchema, async () => {
    const fresh = await listAll(upstream).catch(() => undefined);
    if (fresh !== undefined) for (const problem of server.setTools(fresh)) log(problem);
  });
  // The MCP server exiting ends the pipe tool: clients see ESERVERGONE instead of hanging.
  upstream.onclose = () => {
    log("the MCP server exited; stopping");
    void server.close();
  };
  try {
    await server.listen();
  } catch (err) {
    await server.close();
    throw err;
  }
  return server;
}
