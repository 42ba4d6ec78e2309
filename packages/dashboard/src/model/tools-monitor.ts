/**
 * The live picture of a pipe directory: every tool with its state, description, ping latency,
 * pid and uptime, and the orphaned pipes. Tools are found by scanning the directory (at start,
 * every `scanIntervalMs`, and at once when a pipe appears or goes); each live tool gets one
 * subscribed connection that keeps its state current from `state_changed` broadcasts, records
 * its broadcasts in a bounded log, and carries the calls made from the dashboard.
 */
import type {
  ClearResult,
  EventMessage,
  InterfaceSpec,
  PipeInfo,
  PipeStatus,
  PipeWatcher,
} from "named-pipe-tools";
import { ToolClient, clearOrphans, scanPipes, watchPipes } from "named-pipe-tools";
import { processStartTime, serverPid } from "./process-info.js";
import { Store } from "./store.js";

/** One broadcast received from a tool. */
export interface LogEntry {
  /** Increases by one per entry of a tool. */
  seq: number;
  /** Arrival time, ms since the epoch. */
  at: number;
  message: EventMessage;
}

/** What a tool says about itself beyond its one-line description. */
export interface ToolDetails {
  help?: string;
  interfaces: InterfaceSpec[];
  config?: Record<string, unknown>;
  /** Why some of it could not be fetched. */
  error?: string;
}

/** How the dashboard's own connection to a tool stands. */
export type Connection = "none" | "connecting" | "connected" | "failed" | "closed";

/** One tool as the dashboard shows it. */
export interface ToolView {
  name: string;
  /** Its upstream pipe. */
  path: string;
  /** The pipe's status from the last scan. */
  status: PipeStatus;
  connection: Connection;
  state?: string;
  description?: string;
  /** Round trip of the last `ping`, in ms. */
  pingMs?: number;
  /** Why the last ping failed. */
  pingError?: string;
  pid?: number;
  /** When the server process started, ms since the epoch. */
  startedAt?: number;
  /** Why the connection failed or ended. */
  error?: string;
  /** Its broadcasts, oldest first (at most {@link MonitorOptions.logLimit}). */
  log: readonly LogEntry[];
  details?: ToolDetails;
}

/** The monitor's snapshot. */
export interface MonitorState {
  dir: string;
  /** Sorted by name. */
  tools: readonly ToolView[];
  /** Orphaned pipes of every role (what clear-orphans removes). */
  orphans: readonly PipeInfo[];
  /** Pipes of other users, left alone. */
  foreign: number;
  /** Why the last scan failed. */
  error?: string;
  /** Whether one scan has completed. */
  ready: boolean;
}

/** Options of {@link ToolsMonitor}. */
export interface MonitorOptions {
  dir: string;
  /** Full rescan period, in ms [2000]. */
  scanIntervalMs?: number;
  /** Ping period per tool, in ms [1000]. */
  pingIntervalMs?: number;
  /** A ping slower than this counts as no answer, in ms [1000]. */
  pingTimeoutMs?: number;
  /** Broadcasts kept per tool [500]. */
  logLimit?: number;
}

interface Entry {
  view: ToolView;
  ino: number;
  client?: ToolClient;
  pinging: boolean;
  /** Earliest time of the next connection attempt (backoff after a failure). */
  retryAt: number;
}

/** Watches a pipe directory and keeps one connection per live tool. */
export class ToolsMonitor extends Store<MonitorState> {
  readonly dir: string;
  readonly #opts: Required<MonitorOptions>;
  readonly #entries = new Map<string, Entry>();
  #orphans: PipeInfo[] = [];
  #foreign = 0;
  #error: string | undefined;
  #ready = false;
  #pinger: NodeJS.Timeout | undefined;
  #watcher: PipeWatcher | undefined;
  #closed = false;

  constructor(options: MonitorOptions) {
    super({ dir: options.dir, tools: [], orphans: [], foreign: 0, ready: false });
    this.dir = options.dir;
    this.#opts = {
      scanIntervalMs: 2000,
      pingIntervalMs: 1000,
      pingTimeoutMs: 1000,
      logLimit: 500,
      ...options,
    };
  }

  /** Starts scanning, watching and pinging. */
  start(): void {
    this.#watcher = watchPipes(this.dir, (pipes, error) => this.#onScan(pipes, error), {
      rescanMs: this.#opts.scanIntervalMs,
    });
    this.#pinger = setInterval(() => this.#pingAll(), this.#opts.pingIntervalMs);
  }

  /** Scans the directory now (joined with a scan in progress). */
  async rescan(): Promise<void> {
    if (!this.#closed) await this.#watcher?.rescan();
  }

  #onScan(pipes: PipeInfo[], error: Error | undefined): void {
    this.#error = error?.message;
    if (this.#closed) return;
    const upstreams = pipes.filter((p) => p.role === "upstream" && p.status !== "foreign");
    const seen = new Set<string>();
    for (const pipe of upstreams) {
      seen.add(pipe.path);
      let entry = this.#entries.get(pipe.path);
      if (entry !== undefined && entry.ino !== pipe.ino) {
        this.#drop(entry); // the same name served again by a new server
        entry = undefined;
      }
      if (entry === undefined) {
        entry = {
          view: {
            name: pipe.tool,
            path: pipe.path,
            status: pipe.status,
            connection: "none",
            log: [],
          },
          ino: pipe.ino,
          pinging: false,
          retryAt: 0,
        };
        this.#entries.set(pipe.path, entry);
      }
      entry.view = { ...entry.view, status: pipe.status };
      if (pipe.status === "live" && entry.client === undefined && Date.now() >= entry.retryAt) {
        void this.#connect(entry, pipes);
      }
    }
    for (const [path, entry] of this.#entries) {
      if (!seen.has(path)) this.#drop(entry);
    }
    this.#orphans = pipes.filter((p) => p.status === "orphaned");
    this.#foreign = pipes.filter((p) => p.status === "foreign").length;
    this.#ready = true;
    this.#publish();
  }

  #drop(entry: Entry): void {
    this.#entries.delete(entry.view.path);
    const client = entry.client;
    entry.client = undefined;
    void client?.close();
  }

  async #connect(entry: Entry, pipes: readonly PipeInfo[]): Promise<void> {
    entry.view = { ...entry.view, connection: "connecting" };
    entry.retryAt = Date.now() + 5000;
    let client: ToolClient;
    try {
      client = await ToolClient.connect(entry.view.path, { timeoutMs: 2000, callTimeoutMs: 5000 });
    } catch (err) {
      this.#update(entry, { connection: "failed", error: (err as Error).message });
      return;
    }
    if (this.#closed || this.#entries.get(entry.view.path) !== entry) {
      await client.close();
      return;
    }
    entry.client = client;
    client.on("*", (msg) => this.#onMessage(entry, msg));
    void client.closed.then((err) => {
      if (entry.client !== client) return;
      entry.client = undefined;
      this.#update(entry, { connection: "closed", ...(err ? { error: err.message } : {}) });
      void this.rescan();
    });
    this.#update(entry, { connection: "connected", error: undefined });
    const upstream = pipes.find((p) => p.path === entry.view.path);
    const pid = upstream === undefined ? undefined : serverPid(upstream, pipes);
    const [state, description, startedAt] = await Promise.all([
      client.call("get_state").catch(() => undefined),
      client.call("get_description").catch(() => undefined),
      pid === undefined ? undefined : processStartTime(pid),
    ]);
    this.#update(entry, {
      ...(typeof state?.["state"] === "string" ? { state: state["state"] } : {}),
      ...(typeof description?.["description"] === "string"
        ? { description: description["description"] }
        : {}),
      ...(pid === undefined ? {} : { pid }),
      ...(startedAt === undefined ? {} : { startedAt }),
    });
  }

  #onMessage(entry: Entry, msg: EventMessage): void {
    // Replies to this connection's own requests carry an id; only broadcasts go in the log.
    if (msg.id !== undefined || msg.event === "disconnected") return;
    const patch: Partial<ToolView> = {};
    if (msg.event === "state_changed" && typeof msg["state"] === "string")
      patch.state = msg["state"];
    const last = entry.view.log[entry.view.log.length - 1];
    const log = [...entry.view.log, { seq: (last?.seq ?? 0) + 1, at: Date.now(), message: msg }];
    if (log.length > this.#opts.logLimit) log.splice(0, log.length - this.#opts.logLimit);
    this.#update(entry, { ...patch, log });
  }

  #pingAll(): void {
    for (const entry of this.#entries.values()) {
      const client = entry.client;
      if (client === undefined || entry.pinging) continue;
      entry.pinging = true;
      const t0 = performance.now();
      client
        .call("ping", undefined, { timeoutMs: this.#opts.pingTimeoutMs })
        .then(
          () => this.#update(entry, { pingMs: performance.now() - t0, pingError: undefined }),
          (err: Error) => this.#update(entry, { pingMs: undefined, pingError: err.message }),
        )
        .finally(() => (entry.pinging = false));
    }
  }

  #update(entry: Entry, patch: Partial<ToolView>): void {
    entry.view = { ...entry.view, ...patch };
    for (const key of Object.keys(patch) as (keyof ToolView)[]) {
      if (patch[key] === undefined) delete entry.view[key];
    }
    if (this.#entries.get(entry.view.path) === entry) this.#publish();
  }

  #publish(): void {
    if (this.#closed) return;
    const tools = [...this.#entries.values()]
      .map((e) => e.view)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    this.setState({
      dir: this.dir,
      tools,
      orphans: this.#orphans,
      foreign: this.#foreign,
      ready: this.#ready,
      ...(this.#error === undefined ? {} : { error: this.#error }),
    });
  }

  /** The connection to tool `name` (undefined while there is none). */
  client(name: string): ToolClient | undefined {
    for (const entry of this.#entries.values()) if (entry.view.name === name) return entry.client;
    return undefined;
  }

  /** Fetches a tool's help, interfaces and config (again, with `force`). */
  async loadDetails(name: string, force = false): Promise<void> {
    const entry = [...this.#entries.values()].find((e) => e.view.name === name);
    const client = entry?.client;
    if (entry === undefined || client === undefined) return;
    if (entry.view.details !== undefined && !force) return;
    const errors: string[] = [];
    const attempt = <T>(p: Promise<T>): Promise<T | undefined> =>
      p.catch((err: Error) => {
        errors.push(err.message);
        return undefined;
      });
    const [help, list, config] = await Promise.all([
      attempt(client.call("get_help")),
      attempt(client.call("list_interfaces")),
      attempt(client.call("get_config")),
    ]);
    const names = Array.isArray(list?.["interfaces"])
      ? (list["interfaces"] as unknown[]).filter((n): n is string => typeof n === "string")
      : [];
    const interfaces = (
      await Promise.all(names.map((n) => attempt(client.call("get_interface", { name: n }))))
    )
      .map((reply) => reply?.["interface"] as InterfaceSpec | undefined)
      .filter(
        (i): i is InterfaceSpec => typeof i === "object" && i !== null && Array.isArray(i.commands),
      );
    const { event: _event, id: _id, ...configFields } = config ?? {};
    const details: ToolDetails = {
      interfaces,
      ...(typeof help?.["help"] === "string" ? { help: help["help"] } : {}),
      ...(config === undefined ? {} : { config: configFields }),
      ...(errors.length === 0 ? {} : { error: errors.join("; ") }),
    };
    this.#update(entry, { details });
  }

  /** Removes the orphaned pipes (never a live one, never another user's), then rescans. */
  async clearOrphans(): Promise<ClearResult> {
    const pipes = await scanPipes(this.dir);
    const result = await clearOrphans(pipes);
    await this.rescan();
    return result;
  }

  /** Asks tool `name` to stop. */
  async stopTool(name: string): Promise<void> {
    const client = this.client(name);
    if (client === undefined) throw new Error(`not connected to '${name}'`);
    await client.call("stop", undefined, { timeoutMs: 5000 });
  }

  /** Stops everything and closes every connection. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.cancelNotify();
    clearInterval(this.#pinger);
    await this.#watcher?.close();
    const clients = [...this.#entries.values()].map((e) => e.client);
    this.#entries.clear();
    await Promise.all(clients.flatMap((c) => (c === undefined ? [] : [c.close()])));
  }
}
