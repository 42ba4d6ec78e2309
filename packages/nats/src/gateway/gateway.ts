/**
 * NatsGateway (`cpipe --export`): publishes the local pipe tools it is told to (a list, or all)
 * as NATS services, and follows them: a tool that starts is exported within a rescan (a
 * directory watch triggers one at once), a tool that stops is withdrawn. Nothing is exported
 * unless asked; a tool not exported has no subject on NATS at all.
 */
import { randomBytes } from "node:crypto";
import type { NatsConnection, Subscription } from "nats";
import type { PipeInfo, PipeWatcher } from "named-pipe-tools";
import {
  PipeToolError,
  ToolClient,
  defaultPipeDir,
  validateToolName,
  watchPipes,
} from "named-pipe-tools";
import type { OpenNatsOptions } from "../auth.js";
import { closeNats, openNats } from "../auth.js";
import {
  DEFAULT_PREFIX,
  DEFAULT_QUEUE,
  checkPrefix,
  gatewaySubject,
  toolToken,
} from "../subjects.js";
import { parseNatsUrl, redact } from "../url.js";
import { describeLocalTool } from "./describe.js";
import type { ExportContext } from "./exported-tool.js";
import { ExportedTool } from "./exported-tool.js";

/** Options of {@link NatsGateway.start}. */
export interface GatewayOptions extends OpenNatsOptions {
  /** The tools to export: names, or `"all"` (every live tool in `dir`). Required. */
  tools: readonly string[] | "all";
  /** Pipe directory [`$PIPE_TOOLS_DIR`, else /tmp]. */
  dir?: string;
  /** Subject prefix [npt]. */
  prefix?: string;
  /** Queue group: gateways in the same group share a tool's requests [q]. */
  queue?: string;
  /** Use this NATS connection instead of opening one (left open by `close()`). */
  connection?: NatsConnection;
  /** How often to look for tools that started or stopped, in ms [2000]. */
  rescanMs?: number;
  /** How often callers of long requests are probed, in ms [1000]. */
  probeIntervalMs?: number;
  /** A request with no reply yet is acknowledged after this long, in ms [50]. */
  ackAfterMs?: number;
  /** Called when a tool is exported or withdrawn. */
  onChange?: (change: { tool: string; exported: boolean; commands?: readonly string[] }) => void;
  /** Where diagnostics go [stderr]. */
  log?: (line: string) => void;
}

/** A running export of local tools to NATS. */
export class NatsGateway {
  /** This gateway's random id (in its subjects and reply headers). */
  readonly id: string;
  /** The NATS address (credentials redacted). */
  readonly url: string;
  /** The pipe directory. */
  readonly dir: string;
  readonly #ctx: ExportContext;
  readonly #opts: GatewayOptions;
  readonly #ownsConnection: boolean;
  readonly #wanted: ReadonlySet<string> | "all";
  readonly #tools = new Map<string, ExportedTool>();
  readonly #starting = new Set<string>();
  readonly #reported = new Map<string, string>();
  readonly #control: Subscription;
  #watcher: PipeWatcher | undefined;
  #closed = false;

  private constructor(url: string, nc: NatsConnection, owns: boolean, options: GatewayOptions) {
    this.id = randomBytes(8).toString("hex");
    this.url = redact(url);
    this.dir = options.dir ?? defaultPipeDir();
    this.#opts = options;
    this.#ownsConnection = owns;
    this.#wanted = options.tools === "all" ? "all" : new Set(options.tools);
    const prefix = checkPrefix(options.prefix ?? DEFAULT_PREFIX);
    this.#ctx = {
      nc,
      prefix,
      queue: options.queue ?? DEFAULT_QUEUE,
      gatewayId: this.id,
      dir: this.dir,
      log: options.log ?? ((line) => process.stderr.write(`[cpipe export] ${line}\n`)),
      probeIntervalMs: options.probeIntervalMs ?? 1000,
      ackAfterMs: options.ackAfterMs ?? 50,
    };
    // Callers ask this subject whether the host running their call still lives.
    this.#control = nc.subscribe(gatewaySubject(prefix, this.id), {
      callback: (_e, m) => m.respond(new TextEncoder().encode("1")),
    });
  }

  /**
   * Connects to NATS at `url` (`nats://HOST:PORT`) and exports the tools `options.tools` names
   * as soon as they run. Resolves once the first scan is done.
   * @throws PipeToolError `EUSAGE` without a tool list, `EBADNAME`, `ENOSERVER`, `EIO`
   */
  static async start(url: string, options: GatewayOptions): Promise<NatsGateway> {
    const tools = options.tools;
    if (tools !== "all" && (!Array.isArray(tools) || tools.length === 0)) {
      throw new PipeToolError("EUSAGE", 'say which tools to export: a list of names, or "all"');
    }
    if (tools !== "all") for (const name of tools) validateToolName(name);
    const address = parseNatsUrl(url, "none");
    const nc =
      options.connection ??
      (await openNats(address, { ...options, name: options.name ?? "cpipe export" }));
    const gateway = new NatsGateway(url, nc, options.connection === undefined, options);
    gateway.#watcher = watchPipes(gateway.dir, (pipes) => gateway.#scanOnce(pipes), {
      rescanMs: options.rescanMs ?? 2000,
    });
    await gateway.rescan();
    return gateway;
  }

  /** The tools exported now, sorted. */
  exported(): string[] {
    return [...this.#tools.keys()].sort();
  }

  /** The exported tool `name`, if it is exported. */
  tool(name: string): ExportedTool | undefined {
    return this.#tools.get(name);
  }

  /** Looks for tools that started now; resolves when the look (and any queued after it) is done. */
  async rescan(): Promise<void> {
    await this.#watcher?.rescan();
  }

  async #scanOnce(pipes: PipeInfo[]): Promise<void> {
    if (this.#closed) return;
    const live = pipes
      .filter((p) => p.role === "upstream" && p.status === "live")
      .map((p) => p.tool)
      .filter((t) => this.#wanted === "all" || this.#wanted.has(t));
    const fresh = live.filter((t) => !this.#tools.has(t) && !this.#starting.has(t));
    await Promise.all(fresh.map((name) => this.#export(name)));
  }

  #tokenTaken(name: string): string | undefined {
    const token = toolToken(name);
    for (const other of [...this.#tools.keys(), ...this.#starting]) {
      if (other !== name && toolToken(other) === token) return other;
    }
    return undefined;
  }

  async #export(name: string): Promise<void> {
    const clash = this.#tokenTaken(name);
    if (clash !== undefined) {
      this.#report(
        name,
        `its subject name '${toolToken(name)}' is already exported for '${clash}'`,
      );
      return;
    }
    this.#starting.add(name);
    let client: ToolClient | undefined;
    try {
      client = await this.#connectLocal(name);
      const desc = await describeLocalTool(client);
      if (this.#closed) throw new PipeToolError("ECLOSED", "the gateway is stopping");
      const tool = await ExportedTool.start(client, toolToken(name), desc, this.#ctx);
      this.#tools.set(name, tool);
      this.#reported.delete(name);
      this.#opts.onChange?.({ tool: name, exported: true, commands: tool.commands });
      void tool.gone.then(() => this.#withdraw(name, tool));
    } catch (err) {
      await client?.close();
      if (!this.#closed) this.#report(name, err instanceof Error ? err.message : String(err));
    } finally {
      this.#starting.delete(name);
    }
  }

  async #connectLocal(name: string): Promise<ToolClient> {
    const options = { dir: this.dir, timeoutMs: 2000, callTimeoutMs: 30_000 };
    try {
      return await ToolClient.connect(name, { ...options, data: true });
    } catch (err) {
      // A server without a data pipe (a reference server): export its commands anyway.
      if (err instanceof PipeToolError && err.code === "ENOSERVER") {
        return ToolClient.connect(name, options);
      }
      throw err;
    }
  }

  #report(name: string, message: string): void {
    // Each distinct failure once, not every rescan.
    if (this.#reported.get(name) === message) return;
    this.#reported.set(name, message);
    this.#ctx.log(`cannot export '${name}': ${message}`);
  }

  async #withdraw(name: string, tool: ExportedTool): Promise<void> {
    if (this.#tools.get(name) !== tool) return;
    this.#tools.delete(name);
    await tool.stop(`tool '${name}' stopped on the exporting host`);
    if (this.#closed) return;
    this.#opts.onChange?.({ tool: name, exported: false });
    // A tool restarted under the same name may already be serving: a scan that ran before this
    // withdrawal passed it over as exported.
    void this.rescan();
  }

  /** Withdraws every tool, cancels their requests in flight, and leaves NATS. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#watcher?.close();
    await Promise.all([...this.#tools.values()].map((t) => t.stop()));
    this.#tools.clear();
    this.#control.unsubscribe();
    const nc = this.#ctx.nc;
    if (this.#ownsConnection) await closeNats(nc);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
