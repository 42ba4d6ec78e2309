/**
 * The MCP side of `cpipe mcp`: an MCP server (the SDK's low-level `Server`, since the tools are
 * only known at run time and come with ready JSON Schemas) whose tools are the commands of the
 * running pipe tools. One persistent `ToolClient` per pipe tool; tools that appear or go away
 * raise `notifications/tools/list_changed`.
 */
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
} from "@modelcontextprotocol/sdk/types.js";
import type { PipeInfo, PipeWatcher } from "named-pipe-tools";
import { ToolClient, defaultPipeDir, watchPipes } from "named-pipe-tools";
import type { HandlerExtra } from "./call.js";
import { callPipe } from "./call.js";
import type { BridgedCommand, BridgedTool, PipeClient } from "./pipe-tool.js";
import { describeTool } from "./pipe-tool.js";
import { VERSION } from "./version.js";

/** Options of {@link PipeBridge}. */
export interface PipeBridgeOptions {
  /** Pipe directory [`$PIPE_TOOLS_DIR`, else /tmp]. */
  dir?: string;
  /** Bridge only these tools [every live tool in `dir`]. */
  names?: readonly string[];
  /** Tools on other machines, `nats://HOST:PORT/NAME` (needs named-pipe-tools-nats) [none]. */
  remote?: readonly string[];
  /** How often to look for tools that appeared, in ms [2000]; a directory watch also triggers it. */
  rescanMs?: number;
  /** Longest wait for a pipe command's first reply, in ms [3600000]. */
  callTimeoutMs?: number;
  /** How long connecting to one tool may take, in ms [2000]. */
  connectTimeoutMs?: number;
  /** Where diagnostics go [stderr]. Never stdout, which carries MCP. */
  log?: (line: string) => void;
}

/** Bridges pipe tools to one MCP host. */
export class PipeBridge {
  /** The MCP server (connect it to a transport with {@link start}). */
  readonly server: Server;
  readonly #dir: string;
  readonly #names: readonly string[] | undefined;
  readonly #opts: PipeBridgeOptions;
  readonly #log: (line: string) => void;
  readonly #tools = new Map<string, BridgedTool>();
  readonly #connecting = new Set<string>();
  readonly #reported = new Map<string, string>();
  #watcher: PipeWatcher | undefined;
  #initialized = false;
  #closed = false;

  constructor(options: PipeBridgeOptions = {}) {
    this.#opts = options;
    this.#dir = options.dir ?? defaultPipeDir();
    this.#names = options.names;
    this.#log = options.log ?? ((line) => process.stderr.write(`[cpipe mcp] ${line}\n`));
    this.server = new Server(
      { name: "named-pipe-tools", version: VERSION },
      {
        capabilities: { tools: { listChanged: true } },
        instructions:
          "Tools of the persistent local tool servers running on this machine (named pipes). " +
          "Each MCP tool is named <tool>__<command>; <tool>__get_help explains a tool.",
      },
    );
    this.server.oninitialized = () => (this.#initialized = true);
    this.server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: this.tools() }));
    this.server.setRequestHandler(CallToolRequestSchema, (request, extra) =>
      this.#call(request.params.name, request.params.arguments ?? {}, extra),
    );
  }

  /** The MCP tools now offered, in a stable order. */
  tools(): Tool[] {
    return [...this.#tools.values()]
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .flatMap((t) => [...t.commands.values()].map((c) => c.definition));
  }

  /** Finds the tools, connects the MCP server to `transport`, and keeps the tool list current. */
  async start(transport: Transport): Promise<void> {
    // Tools appearing show up at once; the periodic rescan sees tools coming back.
    this.#watcher = watchPipes(this.#dir, (pipes) => this.#scanOnce(pipes), {
      rescanMs: this.#opts.rescanMs ?? 2000,
    });
    await this.#watcher.rescan();
    await this.server.connect(transport);
  }

  /** Looks for new tools now; resolves when the look (and any queued after it) is done. */
  async rescan(): Promise<void> {
    await this.#watcher?.rescan();
  }

  async #scanOnce(pipes: PipeInfo[]): Promise<void> {
    const live = new Set(
      pipes.filter((p) => p.role === "upstream" && p.status === "live").map((p) => p.tool),
    );
    const candidates = (this.#names ?? [...live].sort()).filter((n) => live.has(n));
    candidates.push(...(this.#opts.remote ?? []));
    const fresh = candidates.filter((n) => !this.#tools.has(n) && !this.#connecting.has(n));
    const added = await Promise.all(fresh.map((name) => this.#connect(name)));
    if (added.some(Boolean)) this.#changed();
  }

  async #connect(name: string): Promise<boolean> {
    this.#connecting.add(name);
    let client: PipeClient | undefined;
    try {
      const options = {
        dir: this.#dir,
        timeoutMs: this.#opts.connectTimeoutMs ?? 2000,
        callTimeoutMs: this.#opts.callTimeoutMs ?? 3_600_000,
      };
      // A nats:// name is a remote tool: the core loads named-pipe-tools-nats for it.
      client = await ToolClient.connect(name, options);
      const taken = new Set(this.tools().map((t) => t.name));
      const tool = await describeTool(client, taken);
      if (this.#closed) {
        await client.close();
        return false;
      }
      this.#tools.set(name, tool);
      this.#reported.delete(name);
      void client.closed.then(() => this.#lost(name, tool));
      return true;
    } catch (err) {
      await client?.close();
      const message = err instanceof Error ? err.message : String(err);
      // Report each distinct failure once, not every rescan.
      if (this.#reported.get(name) !== message) this.#log(`cannot bridge '${name}': ${message}`);
      this.#reported.set(name, message);
      return false;
    } finally {
      this.#connecting.delete(name);
    }
  }

  #lost(key: string, tool: BridgedTool): void {
    if (this.#tools.get(key) !== tool) return;
    this.#tools.delete(key);
    if (!this.#closed) this.#changed();
  }

  #changed(): void {
    if (!this.#initialized || this.#closed) return;
    this.server.sendToolListChanged().catch(() => undefined); // the host went away
  }

  async #call(
    name: string,
    args: Record<string, unknown>,
    extra: HandlerExtra,
  ): Promise<CallToolResult> {
    let found: { tool: BridgedTool; cmd: BridgedCommand } | undefined;
    for (const tool of this.#tools.values()) {
      const cmd = tool.commands.get(name);
      if (cmd !== undefined) found = { tool, cmd };
    }
    if (found === undefined) {
      throw new McpError(
        ErrorCode.InvalidParams,
        `unknown tool '${name}' (its server may have stopped)`,
      );
    }
    return callPipe(
      found.tool.client,
      found.cmd,
      args,
      extra,
      this.#opts.callTimeoutMs ?? 3_600_000,
    );
  }

  /** Stops watching, closes every pipe client and the MCP server. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#watcher?.close();
    await Promise.all([...this.#tools.values()].map((t) => t.client.close()));
    this.#tools.clear();
    await this.server.close();
  }
}
