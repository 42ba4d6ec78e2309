/**
 * `cpipe --serve mcp -- <command ...>`: runs a stdio MCP server and serves its tools as a
 * persistent pipe tool, shared by every pipe client; restarts it when it exits.
 */
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import type { ServeCommon } from "named-pipe-tools";
import { deriveName, parseWrapArgs } from "./args.js";
import type { LaunchSpec } from "./upstream.js";
import { launchUpstream } from "./upstream.js";
import { McpWrapServer } from "./wrap-server.js";

/** Options `cpipe --serve mcp` passes. */
export type WrapCommon = ServeCommon;

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
 * Spawns the stdio MCP server named in `args`, lists its tools, and serves them as pipe
 * commands. Resolves once the pipe server listens; closing it ends the MCP server too. When the
 * MCP server exits, it is restarted (state `restarting` meanwhile).
 * @throws McpBridgeError `EUSAGE` for bad arguments, `EUPSTREAM` when the MCP server cannot be
 *   started, does not answer initialize in time, or cannot be listed; PipeToolError `EINUSE`
 *   when the tool name is already served.
 */
export async function startWrap(
  args: readonly string[],
  common: WrapCommon = {},
): Promise<McpWrapServer> {
  const parsed = parseWrapArgs(args, common);
  const name = parsed.name ?? deriveName(parsed.command);
  const log = common.log ?? ((line: string) => process.stderr.write(`[${name}] ${line}\n`));
  const spec: LaunchSpec = { command: parsed.command, initTimeoutMs: parsed.initTimeoutMs, log };
  const { client, tools } = await launchUpstream(spec);
  const info = client.getServerVersion();
  const program = parsed.command[0];
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
