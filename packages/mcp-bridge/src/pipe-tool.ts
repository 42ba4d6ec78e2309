/**
 * One pipe tool as the bridge sees it: a persistent client plus the MCP tool definitions of its
 * commands, read from `get_description` and the tool's own interface (`get_interface`).
 */
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import type { ToolClient } from "named-pipe-tools";
import { RemoteError } from "named-pipe-tools";
import type { CommandSpec, InterfaceSpec } from "named-pipe-tools";
import { mcpToolName } from "./naming.js";
import { inputSchemaOf } from "./schema.js";

/** One MCP tool backed by a pipe command. */
export interface BridgedCommand {
  /** The pipe tool's name. */
  tool: string;
  /** The pipe command to call. */
  command: string;
  /** `help`: the synthetic help tool, whose result is the help text. */
  kind: "command" | "help";
  /** The command streams `done:false` items before its final reply. */
  stream: boolean;
  /** Its MCP definition (name, description, inputSchema). */
  definition: Tool;
}

/** What the bridge needs of a client (a ToolClient, of a local tool or of one over NATS). */
export type PipeClient = Pick<ToolClient, "name" | "call" | "close" | "closed">;

/** A connected pipe tool and the MCP tools it provides. */
export interface BridgedTool {
  name: string;
  client: PipeClient;
  description: string;
  /** Its commands by MCP tool name. */
  commands: Map<string, BridgedCommand>;
}

function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/** The tool's own interface; undefined for a server that has none or no interfaces at all. */
async function ownInterface(client: PipeClient): Promise<InterfaceSpec | undefined> {
  const listed = await client.call("list_interfaces").catch((err: unknown) => {
    if (err instanceof RemoteError) return undefined; // an older reference server
    throw err;
  });
  if (listed === undefined) return undefined;
  const names = Array.isArray(listed["interfaces"]) ? (listed["interfaces"] as unknown[]) : [];
  const own = names.find((n): n is string => typeof n === "string" && n !== "base");
  if (own === undefined) return undefined;
  const reply = await client.call("get_interface", { name: own });
  const spec = reply["interface"];
  return typeof spec === "object" && spec !== null ? (spec as InterfaceSpec) : undefined;
}

function describe(command: CommandSpec, tool: string, toolDescription: string): string {
  const parts = [command.description !== "" ? command.description : `Command '${command.name}'.`];
  if (command.stream === true) {
    parts.push("Streams its output (as progress notifications); the result holds all of it.");
  }
  parts.push(`Pipe tool '${tool}'${toolDescription === "" ? "" : `: ${toolDescription}`}`);
  return parts.join("\n\n");
}

/**
 * Reads what `client`'s tool offers and names its MCP tools, avoiding the names in `taken`.
 * Every command of the tool's own interface becomes an MCP tool, plus `<tool>__get_help`.
 */
export async function describeTool(
  client: PipeClient,
  taken: ReadonlySet<string>,
): Promise<BridgedTool> {
  const tool = client.name;
  const [descReply, iface] = await Promise.all([
    client.call("get_description"),
    ownInterface(client),
  ]);
  const description = str(descReply["description"]);
  const commands = new Map<string, BridgedCommand>();
  const used = new Set(taken);
  const add = (entry: Omit<BridgedCommand, "definition">, def: Omit<Tool, "name">): void => {
    const name = mcpToolName(tool, entry.command, used);
    used.add(name);
    commands.set(name, { ...entry, definition: { name, ...def } });
  };
  for (const command of iface?.commands ?? []) {
    add(
      { tool, command: command.name, kind: "command", stream: command.stream === true },
      { description: describe(command, tool, description), inputSchema: inputSchemaOf(command) },
    );
  }
  add(
    { tool, command: "get_help", kind: "help", stream: false },
    {
      description: `Usage and help text of pipe tool '${tool}'${description === "" ? "" : `: ${description}`}`,
      inputSchema: { type: "object", properties: {}, additionalProperties: false },
      annotations: { readOnlyHint: true },
    },
  );
  return { name: tool, client, description, commands };
}
