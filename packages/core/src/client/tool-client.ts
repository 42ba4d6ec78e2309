/**
 * ToolClient: a session with one tool server: calls matched to replies by id, timeouts, cancel,
 * streams, broadcasts and binary frames. It runs over a {@link ClientTransport}: the FIFOs of
 * {@link FifoTransport} (`ToolClient.connect`), or any other (`ToolClient.over`). See PROTOCOL.md.
 */
import { EventEmitter } from "node:events";
import { PipeToolError } from "../errors.js";
import type { EventMessage, RequestId } from "../protocol/messages.js";
import { serverPaths } from "../transport/paths.js";
import { REQUEST_META_FIELDS, isRecord } from "../protocol/messages.js";
import type { CallHost } from "./call.js";
import { PendingCall, abortedError } from "./call.js";
import { FifoTransport } from "./fifo-transport.js";
import type { CallOptions, ConnectOptions, SessionOptions, StreamOptions } from "./options.js";
import { resolveTarget } from "./options.js";
import { PendingTable } from "./pending.js";
import { ReferenceCalls } from "./reference-calls.js";
import { leaveReferenceServer, pathExists, pidOnlyPipe } from "./reference-detect.js";
import { isRemoteTarget, remoteTransport } from "./remote.js";
import { ToolStream } from "./stream.js";
import type { ClientTransport, TransportListener } from "./transport.js";

export type { CallOptions, ConnectOptions, SessionOptions, StreamOptions } from "./options.js";

/**
 * A connection to one tool server.
 *
 * ```ts
 * await using client = await ToolClient.connect("demo");
 * const pong = await client.call("ping");
 * for await (const msg of client.stream("count", { n: 3 })) console.log(msg);
 * ```
 */
export class ToolClient {
  /** Tool name. */
  readonly name: string;
  /** Pipe directory ("" over a transport that has none). */
  readonly dir: string;
  /** This client's token (part of its pipe names; "" over a transport that has none). */
  readonly clientToken: string;
  /** Resolves when the connection ends: `undefined` after `close()`, else the error that ended it. */
  readonly closed: Promise<PipeToolError | undefined>;

  readonly #transport: ClientTransport;
  readonly #callTimeoutMs: number;
  readonly #events = new EventEmitter();
  readonly #pending = new PendingTable();
  readonly #callHost: CallHost;
  #nextId = 1;
  #ended: PipeToolError | undefined;
  #resolveClosed!: (err: PipeToolError | undefined) => void;
  #subscribed = false;
  readonly #trace: ConnectOptions["trace"];
  /** Talking to a reference server (see ConnectOptions.compat). */
  readonly #reference: boolean;
  /** With a reference server: one call at a time, answered by event (reference-calls.ts). */
  readonly #refCalls: ReferenceCalls | undefined;

  private constructor(transport: ClientTransport, options: SessionOptions) {
    this.#transport = transport;
    this.name = transport.name;
    const fifo = transport instanceof FifoTransport ? transport : undefined;
    this.dir = fifo?.dir ?? "";
    this.clientToken = fifo?.clientToken ?? "";
    this.#reference = options.compat === "reference";
    this.#refCalls = this.#reference
      ? new ReferenceCalls((id, err) => {
          if (id !== undefined) this.#pending.get(id)?.fail(asPipeError(err));
        })
      : undefined;
    this.#callTimeoutMs = options.callTimeoutMs ?? 30_000;
    this.#trace = options.trace;
    this.#events.setMaxListeners(0);
    this.#callHost = {
      name: this.name,
      forget: (id) => this.#forget(id),
      cancel: (id) => this.#cancelRemote(id),
    };
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
  }

  /**
   * Connects to tool `nameOrPath` (a name such as `"chat"`, or a path such as `/tmp/tool-chat`).
   * Fails fast: `ENOSERVER` when nothing serves it, `ETIMEDOUT` when the server does not answer.
   *
   * A tool on another machine, exported over NATS (`cpipe --export`), is named by its address:
   * `nats://HOST:PORT/NAME` (or `tls://...`, credentials as `USER:PASSWORD@` or `TOKEN@`). It
   * needs the package named-pipe-tools-nats (`ENOTINSTALLED`, with the install command, without
   * it); the session is the same, over NATS instead of pipes (`dir`, `upstream`,
   * `maxMessageBytes` and `maxQueuedBytes` do not apply; other options go to that package).
   */
  static async connect(nameOrPath: string, options: ConnectOptions = {}): Promise<ToolClient> {
    checkSessionOptions(options);
    if (isRemoteTarget(nameOrPath)) {
      if (options.compat === "reference") {
        throw new TypeError(
          'compat: "reference" is for a local server of the Python project, not a tool over NATS',
        );
      }
      return ToolClient.over(await remoteTransport(nameOrPath, { ...options }), options);
    }
    if (options.compat === "reference" && options.data === true) {
      throw new TypeError(
        'a data channel needs one of our servers: it cannot be used with compat: "reference"',
      );
    }
    const { name, dir } = resolveTarget(nameOrPath, options.dir);
    if (
      options.upstream !== undefined &&
      options.upstream !== "private" &&
      options.upstream !== "shared"
    ) {
      throw new TypeError(
        `upstream must be "private" or "shared", got ${JSON.stringify(options.upstream)}`,
      );
    }
    const transport = new FifoTransport(name, dir, {
      data: options.data === true,
      maxMessageBytes: options.maxMessageBytes,
      maxQueuedBytes: options.maxQueuedBytes ?? 64 * 1024 * 1024,
      reference: options.compat === "reference",
      // A client that does not subscribe cannot be offered a private pipe.
      upstream: options.subscribe === false ? "shared" : (options.upstream ?? "private"),
    });
    // Absent now and present after an unanswered subscribe: a server of the Python project.
    const pidPipe = options.compat === "reference" ? undefined : pidOnlyPipe(name, dir);
    const watchPidPipe = pidPipe !== undefined && !(await pathExists(pidPipe));
    try {
      return await ToolClient.over(transport, options);
    } catch (err) {
      const timedOut = err instanceof PipeToolError && err.code === "ETIMEDOUT";
      if (
        timedOut &&
        watchPidPipe &&
        (await leaveReferenceServer(pidPipe, serverPaths(name, dir).upstream))
      ) {
        throw new PipeToolError(
          "EREFERENCE",
          `tool '${name}' is a server of the Python named-pipes project (it answered on ${pidPipe}, not on our pipe): connect with compat: "reference"`,
        );
      }
      throw err;
    }
  }

  /**
   * Starts a session over `transport` (an in-memory pair in tests, another bus): the same calls,
   * streams and events as {@link ToolClient.connect}, which uses the FIFO transport.
   */
  static async over(transport: ClientTransport, options: SessionOptions = {}): Promise<ToolClient> {
    checkSessionOptions(options);
    const timeoutMs = options.timeoutMs ?? 5000;
    const client = new ToolClient(transport, options);
    try {
      await transport.start(client.#listener());
      if (options.subscribe !== false) {
        const reply = await client.call("subscribe", transport.subscribeFields(), {
          timeoutMs,
          ...(options.signal === undefined ? {} : { signal: options.signal }),
        });
        await transport.subscribed(reply);
        client.#subscribed = true;
      }
    } catch (err) {
      const error =
        err instanceof PipeToolError && err.code === "ETIMEDOUT"
          ? new PipeToolError(
              "ETIMEDOUT",
              `tool '${transport.name}' did not answer within ${timeoutMs} ms (is its server hung?)`,
            )
          : err;
      client.#leaveReference();
      await client.#shutdown(error instanceof PipeToolError ? error : undefined);
      throw error;
    }
    return client;
  }

  #listener(): TransportListener {
    return {
      message: (msg) => this.#onMessage(msg),
      data: (payload) => this.#events.emit("data", payload),
      fail: (id, err) => this.#pending.get(id)?.fail(err),
      warning: (message) => this.#emit({ event: "error", message }),
      lost: (err) => void this.#shutdown(err),
    };
  }

  /** True until the connection ends. */
  get connected(): boolean {
    return this.#ended === undefined;
  }

  /**
   * True when requests travel on this client's private upstream pipe (protocol revision 2: the
   * server offered it); false on the tool's shared pipe or another transport.
   */
  get privateUpstream(): boolean {
    return this.#transport instanceof FifoTransport && this.#transport.privateUpstream;
  }

  /** Whether the data channel is open. */
  get hasData(): boolean {
    return this.#transport.hasData;
  }

  // ---- sending ----

  #write(cmd: string, args: Record<string, unknown> | undefined, id: RequestId | undefined): void {
    if (this.#ended !== undefined) throw this.#ended;
    if (typeof cmd !== "string" || cmd === "")
      throw new TypeError(`cmd must be a non-empty string, got ${JSON.stringify(cmd)}`);
    if (args !== undefined && !isRecord(args))
      throw new TypeError(`args must be an object, got ${JSON.stringify(args)}`);
    const msg: Record<string, unknown> = {};
    // Sent to a reference server too: it ignores the field, and ours then answer by id.
    if (id !== undefined) msg["id"] = id;
    msg["cmd"] = cmd;
    if (args !== undefined) {
      for (const key in args) {
        if (!Object.hasOwn(args, key)) continue;
        if (REQUEST_META_FIELDS.has(key) && key !== "data_id")
          throw new TypeError(`args must not contain '${key}'`);
        msg[key] = args[key];
      }
    }
    if (this.#refCalls !== undefined) {
      this.#refCalls.submit(id, cmd, () => {
        this.#trace?.("out", msg);
        this.#transport.send(msg);
      });
      return;
    }
    this.#trace?.("out", msg);
    this.#transport.send(msg);
  }

  /** Sends a command without waiting for (or receiving) any reply. */
  send(cmd: string, args?: Record<string, unknown>): void {
    this.#write(cmd, args, undefined);
  }

  /**
   * Sends a command and resolves with its final reply. Rejects with `RemoteError` on an error
   * reply, `ETIMEDOUT` when nothing arrives within `timeoutMs`, `EABORTED` when `signal` aborts,
   * `ESERVERGONE` when the server goes away.
   */
  call(
    cmd: string,
    args?: Record<string, unknown>,
    options: CallOptions = {},
  ): Promise<EventMessage> {
    return new Promise((resolve, reject) => {
      const { signal } = options;
      if (signal?.aborted === true) {
        reject(abortedError(`call '${cmd}'`, signal));
        return;
      }
      const id = this.#nextId++;
      const call = new PendingCall(this.#callHost, {
        id,
        cmd,
        timeoutMs: options.timeoutMs ?? this.#callTimeoutMs,
        resolve,
        reject,
        onEvent: options.onEvent,
        signal,
      });
      this.#pending.add(id, call);
      try {
        this.#write(cmd, args, id);
      } catch (err) {
        call.fail(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      signal?.addEventListener("abort", call.onAbort, { once: true });
    });
  }

  /**
   * Sends a streaming command; iterate the result to get every message of the request, the
   * final one (`done:true`, or any reply without `done:false`) included. Breaking out of the
   * loop cancels the request on the server. An error reply is thrown as a `RemoteError`.
   */
  stream(cmd: string, args?: Record<string, unknown>, options: StreamOptions = {}): ToolStream {
    const id = this.#nextId++;
    const stream = new ToolStream({
      id,
      cmd,
      timeoutMs: options.timeoutMs ?? this.#callTimeoutMs,
      maxBuffered: options.maxBuffered ?? 100_000,
      signal: options.signal,
      register: (entry) => this.#pending.add(id, entry),
      unregister: () => this.#forget(id),
      cancel: () => this.#cancelRemote(id),
      toolName: this.name,
    });
    try {
      this.#write(cmd, args, id);
    } catch (err) {
      this.#forget(id);
      throw err;
    }
    return stream;
  }

  /** A call or stream ended: it leaves the pending table (and, with a reference server, its turn). */
  #forget(id: RequestId): void {
    this.#pending.delete(id);
    this.#refCalls?.finished(id);
  }

  #cancelRemote(target: RequestId): void {
    // A reference server has no cancel: its "unknown command" reply would answer another call.
    if (this.#ended !== undefined || this.#reference) return;
    try {
      this.#write("cancel", { target }, undefined);
    } catch {
      // Connection already gone: nothing to cancel.
    }
  }

  /**
   * Listens to broadcasts (and to messages that answer no pending request) named `event`;
   * `"*"` receives all of them. Returns a function that removes the listener.
   */
  on(event: string, fn: (msg: EventMessage) => void): () => void {
    const key = `event:${event}`;
    this.#events.on(key, fn);
    return () => this.#events.off(key, fn);
  }

  // ---- binary data ----

  /** Sends a binary frame on the data channel (`connect({ data: true })`). */
  sendData(payload: Uint8Array): void {
    if (this.#ended !== undefined) throw this.#ended;
    this.#transport.sendData(payload);
  }

  /** Receives binary frames from the server. Returns a function that removes the listener. */
  onData(fn: (payload: Buffer) => void): () => void {
    this.#events.on("data", fn);
    return () => this.#events.off("data", fn);
  }

  // ---- receiving ----

  #onMessage(msg: Record<string, unknown>): void {
    if (typeof msg["event"] !== "string") return;
    const event = msg as EventMessage;
    this.#trace?.("in", event);
    const answers = event.id ?? this.#refCalls?.route(event);
    const entry = answers === undefined ? undefined : this.#pending.get(answers);
    if (entry !== undefined) entry.onMessage(event);
    // A message with an id answers a request; one whose request has ended (the `cancelled`
    // error after a cancel, a late reply after a timeout) is no broadcast: it is dropped.
    else if (event.id === undefined) this.#emit(event);
  }

  #emit(msg: EventMessage): void {
    this.#events.emit(`event:${msg.event}`, msg);
    this.#events.emit("event:*", msg);
  }

  // ---- closing ----

  /** Unsubscribes, closes the pipes and removes this client's own FIFOs. Idempotent. */
  async close(): Promise<void> {
    if (this.#ended !== undefined) return;
    if (this.#reference) {
      this.#leaveReference();
    } else if (this.#subscribed) {
      try {
        await this.call("unsubscribe", undefined, { timeoutMs: 500 });
      } catch {
        // The server is gone or slow: we leave anyway.
      }
    }
    await this.#shutdown(undefined);
  }

  /**
   * Leaves a reference server as found: once our `subscribe` is written it will hold our pipe
   * open as a subscriber (even when its reply was too late for us), so `unsubscribe` follows,
   * unanswered, ahead of anything still queued. Never sent without a subscribe first: the
   * reference crashes on an unsubscribe for a pid it does not know.
   */
  #leaveReference(): void {
    if (this.#refCalls?.subscribeWritten !== true || this.#ended !== undefined) return;
    this.#refCalls.release();
    try {
      this.send("unsubscribe");
    } catch {
      // The server is gone: nothing to leave.
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #shutdown(reason: PipeToolError | undefined): Promise<void> {
    if (this.#ended !== undefined) return;
    this.#ended = reason ?? new PipeToolError("ECLOSED", `client of tool '${this.name}' is closed`);
    for (const entry of this.#pending.drain()) entry.fail(this.#ended);
    await this.#transport.close();
    if (reason !== undefined) this.#emit({ event: "disconnected", message: reason.message });
    this.#resolveClosed(reason);
  }
}

function checkSessionOptions(options: SessionOptions): void {
  if (typeof options !== "object" || options === null)
    throw new TypeError("connect options must be an object");
  const timeoutMs = options.timeoutMs ?? 5000;
  if (!(timeoutMs > 0))
    throw new TypeError(`timeoutMs must be a positive number, got ${String(timeoutMs)}`);
  if (options.compat !== undefined && options.compat !== "ours" && options.compat !== "reference") {
    throw new TypeError(
      `compat must be "ours" or "reference", got ${JSON.stringify(options.compat)}`,
    );
  }
}

function asPipeError(err: unknown): PipeToolError {
  return err instanceof PipeToolError
    ? (err as PipeToolError)
    : new PipeToolError("EIO", err instanceof Error ? err.message : String(err), { cause: err });
}
