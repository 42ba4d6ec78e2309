/**
 * `cpipe --serve mcp -- <command ...>`: runs a stdio MCP server and serves its tools as a
 * persistent pipe tool, shared by every pipe client; restarts it when it exits.
 */
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import type { ServeCommon } from "named-pipe-tools";
import { DEFAULT_INIT_TIMEOUT_MS, deriveName } from "./args.js";
import { McpBridgeError } from "./errors.js";
import type { LaunchSpec } from "./upstream.js";
import { launchUpstream } from "./upstream.js";
import { McpWrapServer } from "./wrap-server.js";

/** Options `cpipe --serve mcp` passes. */
/** What {@link startWrap} takes: `cpipe --serve mcp`'s options. */
export interface WrapOptions extends ServeCommon {
  /** The stdio MCP server to run: executable, then its arguments. */
  command: readonly string[];
  /** The tool's description [the MCP server's name and version, and how many tools]. */
  description?: string;
  /** How long the MCP server has to answer initialize and list its tools, in ms [30,000]. */
  initTimeoutMs?: number;
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

/**
 * Spawns the stdio MCP server `options.command`, lists its tools, and serves them as pipe
 * commands. Resolves once the pipe server listens; closing it ends the MCP server too. When the
 * MCP server exits, it is restarted (state `restarting` meanwhile).
 * @throws McpBridgeError `EUSAGE` for bad arguments, `EUPSTREAM` when the MCP server cannot be
 *   started, does not answer initialize in time, or cannot be listed; PipeToolError `EINUSE`
 *   when the tool name is already served.
 */
export async function startWrap(options: WrapOptions): Promise<McpWrapServer> {
  const [program, ...programArgs] = options.command;
  if (program === undefined) throw new McpBridgeError("EUSAGE", "no MCP server command given");
  const parsed = { ...options, command: [program, ...programArgs] as [string, ...string[]] };
  const name = options.name ?? deriveName(parsed.command);
  const log = options.log ?? ((line: string) => process.stderr.write(`[${name}] ${line}\n`));
  const spec: LaunchSpec = {
    command: parsed.command,
    initTimeoutMs: options.initTimeoutMs ?? DEFAULT_INIT_TIMEOUT_MS,
    log,
  };
  const { client, tools } = await launchUpstream(spec);
  const info = client.getServerVersion();
  const server = new McpWrapServer({
    name,
    upstream: client,
    relaunch: () => launchUpstream(spec),
    description:
      parsed.description ??
      `MCP server ${info?.name ?? program}${info?.version === undefined ? "" : ` ${info.version}`} (${tools.length} tools)`,
    help: helpText(name, parsed.command, client, tools),
    log,
    ...(parsed.dir === undefined ? {} : { dir: parsed.dir }),
  });
  for (const problem of server.setTools(tools)) log(problem);
  try {
    await server.listen();
  } catch (err) {
    await server.close();
    throw err;
  }
  return server;
}
