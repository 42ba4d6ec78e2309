/**
 * A pipe tool server that fronts one stdio MCP server: one pipe command per MCP tool, with the
 * MCP tool's JSON Schema published as the command's `input_schema`. The MCP server is
 * supervised: when it exits, calls in flight fail with a clear error, the state is `restarting`
 * (new calls are refused meanwhile), and it is started again with a growing delay; pipe clients
 * stay subscribed throughout.
 */
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import {
  ErrorCode,
  McpError,
  ProgressNotificationSchema,
  ToolListChangedNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { InterfaceSpec } from "named-pipe-tools";
import { BUILTIN_COMMANDS } from "named-pipe-tools";
import { ToolServer } from "named-pipe-tools";
import type { RequestContext, ToolServerOptions } from "named-pipe-tools";
import { McpBridgeError } from "./errors.js";
import { joinedText, resultFields } from "./result.js";
import { argsOf } from "./schema.js";
import type { Launched } from "./upstream.js";
import { listAll } from "./upstream.js";

/** Options of {@link McpWrapServer}. */
export interface McpWrapServerOptions extends ToolServerOptions {
  /** The connected MCP client of the wrapped server; closed with this server. */
  upstream: Client;
  /** Longest wait for one MCP tool call, in ms [3600000]. */
  callTimeoutMs?: number;
  /**
   * Starts the MCP server again after it exited. Without it, the pipe tool stops when the MCP
   * server exits.
   */
  relaunch?: () => Promise<Launched>;
  /** First delay before a restart, in ms, doubled after each quick failure [250]. */
  restartDelayMs?: number;
  /** Longest delay between restarts, in ms [30000]. */
  maxRestartDelayMs?: number;
}

/** Arguments pass as they are: the MCP server validates them against its own schema. */
const ANY_ARGS = z.object({}).loose();

/** A run of the MCP server shorter than this counts as a quick failure (ms). */
const STABLE_MS = 10_000;

/**
 * The pipe command for MCP tool `name`: its name in lower case (pipe commands are matched
 * case-insensitively), prefixed with `tool_` when that is a built-in command (`ping`, `stop`...).
 */
export function pipeCommandName(name: string): string {
  const lower = name.toLowerCase();
  return BUILTIN_COMMANDS.has(lower) ? `tool_${lower}` : lower;
}

/** A tool server whose commands are the tools of a stdio MCP server. */
export class McpWrapServer extends ToolServer {
  readonly #tools = new Map<string, Tool>();
  readonly #timeoutMs: number;
  readonly #progress = new Map<string, (progress: Record<string, unknown>) => void>();
  readonly #relaunch: (() => Promise<Launched>) | undefined;
  readonly #firstDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #log: (line: string) => void;
  #upstream: Client | undefined;
  #startedAt = Date.now();
  #quickFailures = 0;
  #restartTimer: NodeJS.Timeout | undefined;
  #nextToken = 0;
  #closeAll: Promise<void> | undefined;

  constructor(options: McpWrapServerOptions) {
    const { upstream, callTimeoutMs, relaunch, restartDelayMs, maxRestartDelayMs, ...rest } =
      options;
    super(rest);
    const log = rest.log;
    this.#log =
      log === null
        ? () => undefined
        : (log ?? ((line) => process.stderr.write(`[${this.name}] ${line}\n`)));
    this.#timeoutMs = callTimeoutMs ?? 3_600_000;
    this.#relaunch = relaunch;
    this.#firstDelayMs = restartDelayMs ?? 250;
    this.#maxDelayMs = maxRestartDelayMs ?? 30_000;
    this.#attach(upstream);
  }

  /** The wrapped server's MCP client; undefined while it is being restarted. */
  get upstream(): Client | undefined {
    return this.#upstream;
  }

  #attach(client: Client): void {
    this.#upstream = client;
    this.#startedAt = Date.now();
    // Progress is routed here rather than through callTool's `onprogress`: the SDK drops
    // progress that arrives in the same read as the result (typescript-sdk#2580), while this
    // handler still runs before the awaited result is seen.
    client.setNotificationHandler(ProgressNotificationSchema, (n) => {
      const { progressToken, ...progress } = n.params;
      this.#progress.get(String(progressToken))?.(progress);
    });
    client.setNotificationHandler(ToolListChangedNotificationSchema, async () => {
      const fresh = await listAll(client).catch(() => undefined);
      if (fresh !== undefined && client === this.#upstream) this.#logProblems(this.setTools(fresh));
    });
    client.onclose = () => this.#lost(client);
  }

  #logProblems(problems: readonly string[]): void {
    for (const problem of problems) this.#log(problem);
  }

  /** The MCP server exited (or its connection closed) while we were serving. */
  #lost(client: Client): void {
    if (client !== this.#upstream || this.#closeAll !== undefined) return;
    this.#upstream = undefined;
    if (this.#relaunch === undefined) {
      this.#log("the MCP server exited; stopping");
      void this.close();
      return;
    }
    const ranMs = Date.now() - this.#startedAt;
    this.#quickFailures = ranMs < STABLE_MS ? this.#quickFailures + 1 : 0;
    this.setState("restarting");
    this.#scheduleRestart(`the MCP server exited after ${(ranMs / 1000).toFixed(1)} s`);
  }

  #scheduleRestart(why: string): void {
    const delay = Math.min(
      this.#maxDelayMs,
      this.#firstDelayMs * 2 ** Math.max(0, this.#quickFailures - 1),
    );
    this.#log(`${why}; restarting it in ${(delay / 1000).toFixed(2)} s`);
    this.#restartTimer = setTimeout(() => void this.#restart(), delay);
  }

  async #restart(): Promise<void> {
    this.#restartTimer = undefined;
    if (this.#closeAll !== undefined || this.#relaunch === undefined) return;
    let launched: Launched;
    try {
      launched = await this.#relaunch();
    } catch (err) {
      this.#quickFailures++;
      if (this.#closeAll === undefined) this.#scheduleRestart((err as Error).message);
      return;
    }
    if (this.#closeAll !== undefined) {
      await launched.client.close().catch(() => undefined);
      return;
    }
    this.#attach(launched.client);
    this.#logProblems(this.setTools(launched.tools));
    this.#log(`the MCP server is running again (${launched.tools.length} tools)`);
    this.setState("running");
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
    const upstream = this.#upstream;
    if (upstream === undefined) {
      throw new McpBridgeError(
        "ERESTARTING",
        `the MCP server exited and is being restarted; call '${cmd}' again once the state is 'running'`,
      );
    }
    const token = `p${++this.#nextToken}`;
    this.#progress.set(token, (p) => ctx.emit("progress", p));
    let result: CallToolResult;
    try {
      result = (await upstream.callTool(
        { name: tool.name, arguments: args, _meta: { progressToken: token } },
        undefined,
        { signal: ctx.signal, timeout: this.#timeoutMs },
      )) as CallToolResult;
    } catch (err) {
      const closed = err instanceof McpError && err.code === (ErrorCode.ConnectionClosed as number);
      if (closed && this.#closeAll === undefined) {
        throw new McpBridgeError(
          "ERESTARTING",
          `the MCP server exited while running '${cmd}', so the call was not completed; it is being restarted`,
          { cause: err },
        );
      }
      throw err;
    } finally {
      this.#progress.delete(token);
    }
    const text = joinedText(result.content);
    if (result.isError === true) {
      // An error reply that keeps the MCP result, so `cpipe mcp` can hand it on unchanged.
      ctx.reply("error", {
        message: text === "" ? `MCP tool '${tool.name}' reported an error` : text,
        code: "tool_error",
        ...resultFields(result),
      });
      return undefined;
    }
    return { event: "result", text, ...resultFields(result) };
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

  /**
   * Stops serving, then ends the wrapped MCP server (stdin closed, then signals), and any
   * restart under way. Idempotent.
   */
  override close(): Promise<void> {
    this.#closeAll ??= (async () => {
      clearTimeout(this.#restartTimer);
      await super.close();
      await this.#upstream?.close();
    })();
    return this.#closeAll;
  }
}
