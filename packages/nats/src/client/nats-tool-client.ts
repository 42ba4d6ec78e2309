/**
 * NatsToolClient: a pipe tool on another machine, reached over NATS, with the API of the core's
 * ToolClient: `call`, `send`, `stream` (an async iterable; `break` cancels), `on` (broadcasts),
 * `sendData`/`onData` (binary frames), `close`, `closed`.
 */
import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import type { Msg, NatsConnection, Subscription } from "nats";
import { createInbox } from "nats";
import type { CallOptions, EventMessage, StreamOptions } from "named-pipe-tools";
import { PipeToolError, ToolStream } from "named-pipe-tools";
import { closeNats, openNats } from "../auth.js";
import { DEFAULT_PREFIX, ToolSubjects, checkPrefix, toolToken } from "../subjects.js";
import { parseNatsUrl, redact } from "../url.js";
import { READY_HEADER, SENDER_HEADER, decodeJson, encodeJson, oneHeader } from "../wire.js";
import { runCall } from "./call.js";
import type { ReplyContext } from "./replies.js";
import { routeReply } from "./replies.js";
import { GatewayWatch } from "./liveness.js";
import type { Pending } from "./pending.js";
import { PendingCalls } from "./pending.js";
import type { NatsClientOptions } from "./options.js";

export type { NatsClientOptions } from "./options.js";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A connection to one remote tool, exported by one or more gateways (`cpipe --export`).
 *
 * ```ts
 * await using client = await NatsToolClient.connect("nats://gpu-box:4222/chat");
 * const pong = await client.call("ping");
 * for await (const msg of client.stream("chat", { messages })) console.log(msg);
 * ```
 */
export class NatsToolClient {
  /** Tool name. */
  readonly name: string;
  /** The address connected to (credentials redacted). */
  readonly url: string;
  /** This client's token (names it as a sender of binary frames). */
  readonly clientToken: string;
  /** Resolves when the client ends: `undefined` after `close()`, else the error that ended it. */
  readonly closed: Promise<PipeToolError | undefined>;

  readonly #nc: NatsConnection;
  readonly #ownsConnection: boolean;
  readonly #subjects: ToolSubjects;
  readonly #callTimeoutMs: number;
  readonly #trace: NatsClientOptions["trace"];
  readonly #events = new EventEmitter();
  readonly #pending: PendingCalls;
  readonly #inbox: string;
  readonly #subs: Subscription[] = [];
  readonly #watch: GatewayWatch;
  readonly #takeUpMs: number;
  readonly #replies: ReplyContext;
  #nextId = 1;
  #dataGateway: string | undefined;
  #withData = false;
  #ended: PipeToolError | undefined;
  #resolveClosed!: (err: PipeToolError | undefined) => void;

  private constructor(
    name: string,
    url: string,
    nc: NatsConnection,
    ownsConnection: boolean,
    options: NatsClientOptions,
  ) {
    this.name = name;
    this.url = url;
    this.clientToken = `n${randomBytes(6).toString("hex")}`;
    this.#pending = new PendingCalls(name);
    this.#nc = nc;
    this.#ownsConnection = ownsConnection;
    const prefix = checkPrefix(options.prefix ?? DEFAULT_PREFIX);
    this.#subjects = new ToolSubjects(prefix, toolToken(name));
    this.#callTimeoutMs = options.callTimeoutMs ?? 30_000;
    this.#trace = options.trace;
    this.#events.setMaxListeners(0);
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    this.#inbox = createInbox(options.inboxPrefix);
    this.#replies = {
      nc,
      inbox: this.#inbox,
      pending: this.#pending,
      subjects: this.#subjects,
      url: this.url,
      wake: () => this.#watch.wake(),
      trace: options.trace,
    };
    this.#subs.push(
      nc.subscribe(`${this.#inbox}.*`, { callback: (_e, m) => routeReply(m, this.#replies) }),
    );
    this.#watch = new GatewayWatch({
      nc,
      prefix,
      intervalMs: options.checkIntervalMs ?? 1000,
      active: () => this.#pending.gateways(),
      onGone: (id) => this.#gatewayGone(id),
      sweep: () => this.#pending.sweepUntaken(this.#takeUpMs),
    });
    this.#takeUpMs = options.takeUpTimeoutMs ?? 3000;
  }

  /**
   * Connects to the tool that `url` names (`nats://HOST:PORT/NAME`) and checks that some host
   * exports it (a `ping`).
   * @throws PipeToolError `ENOSERVER` when no NATS server answers or no host exports the tool,
   *   `ETIMEDOUT`, `EUSAGE` for a bad address, `EIO` (authentication, TLS)
   */
  static async connect(url: string, options: NatsClientOptions = {}): Promise<NatsToolClient> {
    if (typeof options !== "object" || options === null)
      throw new TypeError("connect options must be an object");
    const address = parseNatsUrl(url, "required");
    const timeoutMs = options.timeoutMs ?? 5000;
    if (!(timeoutMs > 0))
      throw new TypeError(`timeoutMs must be a positive number, got ${String(timeoutMs)}`);
    const nc =
      options.connection ??
      (await openNats(address, {
        ...options,
        name: options.name ?? `cpipe client of ${address.tool!}`,
        timeoutMs,
      }));
    const client = new NatsToolClient(
      address.tool!,
      redact(url),
      nc,
      options.connection === undefined,
      options,
    );
    try {
      client.#start(options);
      const pong = await client.#ping(timeoutMs, options.signal);
      if (options.data === true) {
        client.#withData = true;
        client.#dataGateway = pong;
      }
    } catch (err) {
      await client.#shutdown(undefined);
      throw err;
    }
    return client;
  }

  #start(options: NatsClientOptions): void {
    const nc = this.#nc;
    if (options.subscribe !== false) {
      this.#subs.push(
        nc.subscribe(`${this.#subjects.events}.>`, { callback: (_e, m) => this.#onEvent(m) }),
      );
    }
    if (options.data === true) {
      // Frames come on the tool's subject until this client has sent frames of its own; then
      // its own local client on the tool's host exists and brings it every frame (broadcast
      // ones too), on this client's own subject.
      let own = false;
      this.#subs.push(
        nc.subscribe(this.#subjects.frames, {
          callback: (_e, m) => {
            if (!own) this.#events.emit("data", Buffer.from(m.data));
          },
        }),
        nc.subscribe(`${this.#subjects.frames}.${this.clientToken}`, {
          callback: (_e, m) => {
            own = true;
            if (m.headers?.has(READY_HEADER) !== true)
              this.#events.emit("data", Buffer.from(m.data));
          },
        }),
      );
    }
    void this.#followStatus();
    void nc.closed().then((err) => {
      const detail = err instanceof Error ? `: ${err.message}` : "";
      void this.#shutdown(
        new PipeToolError("ESERVERGONE", `the NATS connection closed${detail}`, { cause: err }),
      );
    });
  }

  async #followStatus(): Promise<void> {
    for await (const status of this.#nc.status()) {
      if (String(status.type) !== "disconnect") continue;
      // Replies of calls in flight may be lost with the connection: fail them now, clearly.
      // New calls wait for the reconnect (the client buffers them) and work after it.
      this.#pending.failAll(
        new PipeToolError(
          "ESERVERGONE",
          `lost the connection to NATS (${typeof status.data === "string" ? status.data : "server"}) during the call; it may or may not have run on '${this.name}'`,
        ),
      );
    }
  }

  async #ping(timeoutMs: number, signal: AbortSignal | undefined): Promise<string | undefined> {
    let gateway: string | undefined;
    await this.#call("ping", undefined, { timeoutMs, signal }, (id) => (gateway = id));
    return gateway;
  }

  /** True until the client ends. */
  get connected(): boolean {
    return this.#ended === undefined;
  }

  /** Whether the data channel is open. */
  get hasData(): boolean {
    return this.#withData;
  }

  // ---- sending ----

  #checkCommand(cmd: string, args: Record<string, unknown> | undefined): string {
    if (this.#ended !== undefined) throw this.#ended;
    if (typeof cmd !== "string" || cmd === "")
      throw new TypeError(`cmd must be a non-empty string, got ${JSON.stringify(cmd)}`);
    if (args !== undefined && !isRecord(args))
      throw new TypeError(`args must be an object, got ${JSON.stringify(args)}`);
    return cmd.toLowerCase();
  }

  #publish(cmd: string, args: Record<string, unknown> | undefined, reply?: string): void {
    this.#trace?.("out", { cmd, ...args });
    // A client with a data channel names itself, so its requests run through the same local
    // client as its frames on the tool's host (per-client settings apply to both).
    const headers = this.#withData ? oneHeader(SENDER_HEADER, this.clientToken) : undefined;
    const payload = encodeJson(args ?? {});
    const max = this.#nc.info?.max_payload;
    if (max !== undefined && payload.length > max) {
      throw new PipeToolError(
        "ETOOBIG",
        `the arguments of '${cmd}' (${payload.length} bytes) are over the NATS server's max_payload (${max} bytes)`,
      );
    }
    this.#nc.publish(this.#subjects.command(cmd), payload, {
      ...(reply === undefined ? {} : { reply }),
      ...(headers === undefined ? {} : { headers }),
    });
  }

  /** Sends a command without waiting for (or receiving) any reply. */
  send(cmd: string, args?: Record<string, unknown>): void {
    this.#publish(this.#checkCommand(cmd, args), args);
  }

  /** Registers `entry` under a new id and sends the request; returns the id. */
  #request(cmd: string, args: Record<string, unknown> | undefined, entry: Pending): string {
    const lower = this.#checkCommand(cmd, args);
    const id = String(this.#nextId++);
    entry.since = Date.now();
    this.#pending.set(id, entry);
    this.#watch.wake();
    try {
      this.#publish(lower, args, `${this.#inbox}.${id}`);
    } catch (err) {
      this.#pending.delete(id);
      throw err;
    }
    return id;
  }

  #cancelRemote(id: string): void {
    this.#pending.delete(id);
    if (this.#ended !== undefined) return;
    try {
      this.#nc.publish(this.#subjects.cancel, new TextEncoder().encode(`${this.#inbox}.${id}`));
    } catch {
      // Connection closed: nothing to cancel.
    }
  }

  /**
   * Sends a command and resolves with its final reply. Rejects with `RemoteError` on an error
   * reply, `ETIMEDOUT` when nothing arrives within `timeoutMs`, `EABORTED` when `signal` aborts
   * (the request is then cancelled on the tool's machine), `ESERVERGONE` when the host running
   * it or the NATS connection goes away, `ENOSERVER` when no host exports the tool.
   */
  call(
    cmd: string,
    args?: Record<string, unknown>,
    options: CallOptions = {},
  ): Promise<EventMessage> {
    return this.#call(cmd, args, options, undefined);
  }

  #call(
    cmd: string,
    args: Record<string, unknown> | undefined,
    options: CallOptions,
    onGateway: ((id: string) => void) | undefined,
  ): Promise<EventMessage> {
    const host = {
      name: this.name,
      request: (c: string, a: Record<string, unknown> | undefined, entry: Pending) =>
        this.#request(c, a, entry),
      cancel: (id: string) => this.#cancelRemote(id),
      forget: (id: string) => void this.#pending.delete(id),
    };
    const timeoutMs = options.timeoutMs ?? this.#callTimeoutMs;
    return runCall(host, cmd, args, { ...options, timeoutMs }, onGateway);
  }

  /**
   * Sends a streaming command; iterate the result for every message of the request, the final
   * one included. Breaking out of the loop cancels the request on the tool's machine.
   */
  stream(cmd: string, args?: Record<string, unknown>, options: StreamOptions = {}): ToolStream {
    let id = "";
    let pending: Pending | undefined;
    const stream = new ToolStream({
      id: this.#nextId,
      cmd,
      timeoutMs: options.timeoutMs ?? this.#callTimeoutMs,
      maxBuffered: options.maxBuffered ?? 100_000,
      signal: options.signal,
      register: (entry) =>
        (pending = {
          cmd,
          since: 0,
          gateway: undefined,
          onMessage: (msg) => entry.onMessage(msg),
          fail: (err) => entry.fail(err),
        }),
      unregister: () => this.#pending.delete(id),
      cancel: () => this.#cancelRemote(id),
      toolName: this.name,
    });
    if (pending === undefined) throw new PipeToolError("EINVAL", "stream did not register");
    try {
      id = this.#request(cmd, args, pending);
    } catch (err) {
      pending.fail(
        err instanceof PipeToolError
          ? (err as PipeToolError)
          : new PipeToolError("EIO", String(err), { cause: err }),
      );
      throw err;
    }
    return stream;
  }

  // ---- receiving ----

  #onEvent(m: Msg): void {
    let msg: unknown;
    try {
      msg = decodeJson(m.data);
    } catch {
      return;
    }
    if (!isRecord(msg) || typeof msg["event"] !== "string") return;
    this.#trace?.("in", msg);
    this.#emit(msg as EventMessage);
  }

  /**
   * Listens to broadcasts named `event` (`"*"`: all of them). Returns a function that removes
   * the listener.
   */
  on(event: string, fn: (msg: EventMessage) => void): () => void {
    const key = `event:${event}`;
    this.#events.on(key, fn);
    return () => this.#events.off(key, fn);
  }

  #emit(msg: EventMessage): void {
    this.#events.emit(`event:${msg.event}`, msg);
    this.#events.emit("event:*", msg);
  }

  // ---- binary data ----

  /**
   * Sends a binary frame to the tool (`connect({ data: true })`), as raw bytes in one NATS
   * message, to the host that answered this client's `ping`.
   */
  sendData(payload: Uint8Array): void {
    if (this.#ended !== undefined) throw this.#ended;
    if (!this.#withData) {
      throw new PipeToolError("EINVAL", "no data channel: connect with { data: true }");
    }
    if (this.#dataGateway === undefined) {
      throw new PipeToolError("ENOSERVER", `the host that took this client's data is gone`);
    }
    this.#nc.publish(`${this.#subjects.data}.${this.#dataGateway}`, payload, {
      headers: oneHeader(SENDER_HEADER, this.clientToken),
    });
  }

  /** Receives binary frames from the tool. Returns a function that removes the listener. */
  onData(fn: (payload: Buffer) => void): () => void {
    this.#events.on("data", fn);
    return () => this.#events.off("data", fn);
  }

  // ---- hosts going away ----

  #gatewayGone(gateway: string): void {
    this.#pending.failGateway(gateway);
    if (this.#dataGateway === gateway) {
      this.#dataGateway = undefined;
      void this.#ping(this.#callTimeoutMs, undefined).then(
        (id) => (this.#dataGateway = id),
        () => undefined,
      );
    }
  }

  // ---- closing ----

  /** Ends every call in flight (`ECLOSED`) and leaves NATS (when it opened the connection). */
  async close(): Promise<void> {
    await this.#shutdown(undefined);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #shutdown(reason: PipeToolError | undefined): Promise<void> {
    if (this.#ended !== undefined) return;
    this.#ended =
      reason ?? new PipeToolError("ECLOSED", `client of remote tool '${this.name}' is closed`);
    this.#watch.stop();
    this.#pending.failAll(this.#ended);
    for (const sub of this.#subs) sub.unsubscribe();
    if (this.#ownsConnection) await closeNats(this.#nc);
    if (reason !== undefined) this.#emit({ event: "disconnected", message: reason.message });
    this.#resolveClosed(reason);
  }
}
