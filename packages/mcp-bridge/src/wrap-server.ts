/**
 * A pipe tool server that fronts one stdio MCP server: one pipe command per MCP tool, with the
 * MCP tool's JSON Schema published as the command's `input_schema`.
 */
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import { ProgressNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { InterfaceSpec } from "named-pipe-tools";
import { BUILTIN_COMMANDS } from "named-pipe-tools";
import { ToolServer } from "named-pipe-tools";
import type { RequestContext, ToolServerOptions } from "named-pipe-tools";
import { McpBridgeError } from "./errors.js";
import { argsOf } from "./schema.js";

/** Options of {@link McpWrapServer}. */
export interface McpWrapServerOptions extends ToolServerOptions {
  /** The connected MCP client of the wrapped server; closed with this server. */
  upstream: Client;
  /** Longest wait for one MCP tool call, in ms [3600000]. */
  callTimeoutMs?: number;
}

/** Arguments pass as they are: the MCP server validates them against its own schema. */
const ANY_ARGS = z.object({}).loose();

/**
 * The pipe command for MCP tool `name`: its name in lower case (pipe commands are matched
 * case-insensitively), prefixed with `tool_` when that is a built-in command (`ping`, `stop`...).
 */
export function pipeCommandName(name: string): string {
  const lower = name.toLowerCase();
  return BUILTIN_COMMANDS.has(lower) ? `tool_${lower}` : lower;
}

function joinedText(content: CallToolResult["content"]): string {
  return content.flatMap((c) => (c.type === "text" ? [c.text] : [])).join("\n");
}

/** A tool server whose commands are the tools of a stdio MCP server. */
export class McpWrapServer extends ToolServer {
  /** The wrapped server's MCP client. */
  readonly upstream: Client;
  readonly #tools = new Map<string, Tool>();
  readonly #timeoutMs: number;
  readonly #progress = new Map<string, (progress: Record<string, unknown>) => void>();
  #nextToken = 0;
  #closeAll: Promise<void> | undefined;

  constructor(options: McpWrapServerOptions) {
    const { upstream, callTimeoutMs, ...rest } = options;
    super(rest);
    this.upstream = upstream;
    this.#timeoutMs = callTimeoutMs ?? 3_600_000;
    // Progress is routed here rather than through callTool's `onprogress`: the SDK drops
    // progress that arrives in the same read as the result (typescript-sdk#2580), while this
    // handler still runs before the awaited result is seen.
    upstream.setNotificationHandler(ProgressNotificationSchema, (n) => {
      const { progressToken, ...progress } = n.params;
      this.#progress.get(String(progressToken))?.(progress);
    });
  }

  /**
   * Offers `tools` as commands: new ones are registered, changed ones updated, and ones no
   * longer offered are unregistered.
   * @returns names that could not be offered, with the reason.
   */
  setTools(tools: readonly Tool[]): string[] {
    const problems: string[] = [];
    const next = new Map<string, Tool>();
    for (const tool of tools) {
      const cmd = pipeCommandName(tool.name);
      const clash = next.get(cmd);
      if (clash !== undefined) {
        problems.push(
          `MCP tools '${clash.name}' and '${tool.name}' both map to command '${cmd}'; '${tool.name}' is left out`,
        );
        continue;
      }
      next.set(cmd, tool);
    }
    for (const [cmd, tool] of next) {
      if (!this.#tools.has(cmd)) {
        this.command(cmd, { description: tool.description ?? "", args: ANY_ARGS }, (args, ctx) =>
          this.#call(cmd, args, ctx),
        );
      }
    }
    for (const cmd of this.#tools.keys()) if (!next.has(cmd)) this.removeCommand(cmd);
    this.#tools.clear();
    for (const [cmd, tool] of next) this.#tools.set(cmd, tool);
    return problems;
  }

  async #call(cmd: string, args: Record<string, unknown>, ctx: RequestContext): Promise<unknown> {
    const tool = this.#tools.get(cmd);
    if (tool === undefined) {
      throw new McpBridgeError("ENOTOOL", `the MCP server no longer offers '${cmd}'`);
    }
    const token = `p${++this.#nextToken}`;
    this.#progress.set(token, (p) => ctx.emit("progress", p));
    let result: CallToolResult;
    try {
      result = (await this.upstream.callTool(
        { name: tool.name, arguments: args, _meta: { progressToken: token } },
        undefined,
        { signal: ctx.signal, timeout: this.#timeoutMs },
      )) as CallToolResult;
    } finally {
      this.#progress.delete(token);
    }
    const reply: Record<string, unknown> = {
      event: "result",
      text: joinedText(result.content),
      content: result.content,
      isError: result.isError === true,
    };
    if (result.structuredContent !== undefined)
      reply["structuredContent"] = result.structuredContent;
    return reply;
  }

  /** The tool's interface, with each command's `input_schema` and `args` from its MCP tool. */
  override interface(): InterfaceSpec {
    const spec = super.interface();
    const commands = spec.commands.flatMap((c) => {
      const tool = this.#tools.get(c.name);
      if (tool === undefined) return [];
      const schema: Record<string, unknown> = { ...tool.inputSchema };
      return [
        { ...c, description: tool.description ?? "", args: argsOf(schema), input_schema: schema },
      ];
    });
    return { ...spec, commands };
  }

  /** Stops serving, then ends the wrapped MCP server (stdin closed, then signals). Idempotent. */
  override close(): Promise<void> {
    this.#closeAll ??= super.close().then(() => this.upstream.close());
    return this.#closeAll;
  }
}
