/**
 * ToolServer: serves one tool on `<dir>/tool-<name>`. Built-in commands, registered handlers,
 * states, broadcasts, streams and the binary data channel. See PROTOCOL.md for the wire format.
 */
import fs from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { z } from "zod";
import { PipeToolError } from "../errors.js";
import { RAISE_SERVER_MESSAGES, tooBig } from "../protocol/limits.js";
import type { EventMessage, RequestId } from "../protocol/messages.js";
import { WireErrorCode, copyFields, isRecord, isRequestId } from "../protocol/messages.js";
import type { CommandDeclaration, CompiledCommand } from "../schema/command.js";
import { compileCommand, compileUntyped } from "../schema/command.js";
import type { InterfaceSpec } from "../schema/interface.js";
import { ensurePipeDir } from "../transport/fifo.js";
import type { ServerPaths } from "../transport/paths.js";
import { defaultPipeDir, serverPaths, validateToolName } from "../transport/paths.js";
import { FifoReader } from "../transport/reader.js";
import type { Builtin } from "./builtins.js";
import { BUILTIN_COMMANDS, createBuiltins } from "./builtins.js";
import { DataInbox } from "./data-inbox.js";
import { errorFields, ours } from "./error-reply.js";
import { processAlive } from "../util/process-alive.js";
import type { ErrorRef } from "./inbound.js";
import { Inbound } from "./inbound.js";
import { claimPipe, releasePipe, removeOwnedSync } from "./pipes.js";
import type { OwnedPipe } from "./pipes.js";
import { privateDataSink, privateTextSink } from "./private-inbound.js";
import type { Outbox } from "./request.js";
import { makeEvent, runRequest } from "./request.js";
import type { Subscriber } from "./subscriber.js";
import { Subscriptions } from "./subscriptions.js";
import type { Handler, Sender, ServerLimits, ToolServerOptions } from "./types.js";

const DEFAULT_LIMITS: Required<ServerLimits> = {
  maxMessageBytes: 16 * 1024 * 1024,
  maxFrameBytes: 64 * 1024 * 1024,
  maxQueuedBytesPerClient: 8 * 1024 * 1024,
  maxQueuedMessagesPerClient: 100_000,
  maxStallMs: 15_000,
  maxInFlightPerClient: 256,
  maxSubscribers: 1024,
  livenessIntervalMs: 250,
  staleMs: 5000,
};

/** Fields of a request that address it rather than being arguments of its command. */
const ADDRESS_FIELDS: ReadonlySet<string> = new Set(["pid", "client", "id", "cmd"]);

interface Registered {
  command: CompiledCommand;
  handler: Handler<never>;
  streamEvent: string;
}

/**
 * A tool server. Register commands, then `await server.listen()`.
 *
 * ```ts
 * const server = new ToolServer({ name: "demo", description: "Echoes things" });
 * server.handler("echo", (args) => ({ event: "echo", data: args.data }));
 * await server.listen();
 * ```
 */
export class ToolServer {
  /** Tool name. */
  readonly name: string;
  /** Pipe directory. */
  readonly dir: string;
  /** Paths of the pipes this server owns. */
  readonly paths: ServerPaths;
  /** Resolves once the server has stopped and removed its pipes. */
  readonly closed: Promise<void>;

  readonly #opts: ToolServerOptions;
  readonly #limits: Required<ServerLimits>;
  readonly #log: (line: string) => void;
  readonly #commands = new Map<string, Registered>();
  readonly #subs: Subscriptions;
  readonly #pendingSubscribe = new Map<string, Promise<void>>();
  readonly #unrouted = new Set<AbortController>();
  readonly #builtins: Record<string, Builtin>;
  readonly #outbox: Outbox;
  readonly #inbound: Inbound;
  readonly #inbox: DataInbox;
  #description: string;
  #help: string | undefined;
  #state: string;
  #dataHandler: ((payload: Buffer, from: Sender) => void) | undefined;
  #cancelHooks: ((from: Sender, target: RequestId | undefined) => void)[] = [];
  #readers: FifoReader[] = [];
  #owned: OwnedPipe[] = [];
  #timer: NodeJS.Timeout | undefined;
  #listening = false;
  #closing: Promise<void> | undefined;
  #resolveClosed!: () => void;
  #signalHandler: ((signal: NodeJS.Signals) => void) | undefined;
  readonly #exitHandler = (): void => removeOwnedSync(this.#owned);

  constructor(options: ToolServerOptions) {
    if (!isRecord(options)) throw new TypeError("ToolServer options must be an object");
    this.name = validateToolName(options.name);
    this.dir = options.dir ?? defaultPipeDir();
    this.paths = serverPaths(this.name, this.dir);
    this.#opts = options;
    this.#limits = { ...DEFAULT_LIMITS, ...options.limits };
    for (const [key, value] of Object.entries(this.#limits)) {
      if (!Number.isInteger(value) || value <= 0) {
        throw new TypeError(`limits.${key} must be a positive integer, got ${String(value)}`);
      }
    }
    const log = options.log;
    this.#log =
      log === null
        ? () => undefined
        : (log ?? ((line) => process.stderr.write(`[${this.name}] ${line}\n`)));
    this.#description = options.description ?? "";
    this.#help = options.help;
    this.#state = options.initialState ?? "running";
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    const limits = this.#limits;
    this.#subs = new Subscriptions({
      name: this.name,
      dir: this.dir,
      maxSubscribers: limits.maxSubscribers,
      maxMessageBytes: limits.maxMessageBytes,
      maxFrameBytes: limits.maxFrameBytes,
      maxQueuedBytesPerClient: limits.maxQueuedBytesPerClient,
      maxQueuedMessagesPerClient: limits.maxQueuedMessagesPerClient,
      maxStallMs: limits.maxStallMs,
      log: this.#log,
      stopping: () => this.#closing !== undefined,
      textSink: (sub) =>
        privateTextSink({
          maxMessageBytes: limits.maxMessageBytes,
          onRequest: (msg) => this.#route(sub, msg),
          onReject: (message, code, ref) => this.#reject(sub, message, code, ref),
        }),
      dataSink: (sub) =>
        privateDataSink({
          maxFrameBytes: limits.maxFrameBytes,
          onFrame: (payload) => this.#onFrame(sub, payload),
          onProblem: (message) =>
            this.#reject(sub, `data channel: ${message}`, WireErrorCode.TooBig, {}),
        }),
      onDropped: (sub) => {
        this.#inbound.dropSender(sub.key);
        if (sub.dataId !== undefined) this.#inbox.dropSender(sub.dataId);
      },
    });
    this.#outbox = {
      deliver: (to, msg) => this.#subs.deliver(to, msg),
      sendLine: (to, line) => this.#subs.sendLine(to, line),
      maxMessageBytes: limits.maxMessageBytes,
      sendData: (to, payload) => this.sendData(to, payload),
      backpressure: (to) => {
        const writer = this.#subs.get(to.key)?.writer;
        return writer?.full === true ? writer.drained() : undefined;
      },
    };
    const live = (sub: Subscriber | undefined): boolean =>
      sub !== undefined && processAlive(sub.pid);
    this.#inbound = new Inbound({
      maxMessageBytes: limits.maxMessageBytes,
      staleMs: limits.staleMs,
      live: (key) => live(this.#subs.get(key)),
      onRequest: (sender, msg) => this.#route(sender, msg),
      onReject: (to, message, code, ref) => this.#reject(to, message, code, ref),
    });
    this.#inbox = new DataInbox({
      maxFrameBytes: limits.maxFrameBytes,
      maxHeldBytes: 2 * limits.maxFrameBytes,
      known: (senderId) => this.#subs.byDataId(senderId) !== undefined,
      live: (senderId) => live(this.#subs.byDataId(senderId)),
      onFrame: (senderId, payload) => this.#onSharedFrame(senderId, payload),
      onProblem: (message) => this.#log(`data channel: ${message}`),
    });
    const server = this; // eslint-disable-line @typescript-eslint/no-this-alias -- getters below read live state
    this.#builtins = createBuiltins({
      get state() {
        return server.#state;
      },
      get description() {
        return server.#description;
      },
      help: () => this.#help ?? this.#description,
      config: () =>
        typeof options.config === "function" ? options.config() : (options.config ?? {}),
      interfaceName: () => (this.#commands.size > 0 ? this.#interfaceName() : undefined),
      ownInterface: () => this.interface(),
      reply: (to, event, fields, id) => this.#subs.deliver(to, makeEvent(event, fields, id)),
      unsubscribe: async (sender) => {
        const sub = this.#subs.get(sender.key);
        if (sub !== undefined) await this.#subs.drop(sub, "unsubscribed");
      },
      cancel: (sender, target) => this.#cancel(sender, target),
      stop: () => void this.close(),
    });
  }

  /** Current state. */
  get state(): string {
    return this.#state;
  }

  /** The subscribed clients. */
  get subscribers(): readonly Sender[] {
    return this.#subs.all();
  }

  /** Description served by `get_description`. */
  get description(): string {
    return this.#description;
  }

  /**
   * Registers a handler for `cmd` with no argument schema. Replaces any earlier handler.
   * @returns this, for chaining
   */
  handler(cmd: string, fn: Handler): this {
    return this.#register(cmd, (lower) => compileUntyped(lower), fn, "token");
  }

  /**
   * Registers a command with a declaration: its arguments are validated against `decl.args`
   * (a zod object) before `fn` runs, and it is listed by `get_interface`.
   */
  command<A extends z.ZodObject>(
    cmd: string,
    decl: CommandDeclaration<A>,
    fn: Handler<z.output<A>>,
  ): this {
    const streamEvent = decl.stream === true && decl.reply !== undefined ? decl.reply : "token";
    return this.#register(cmd, (lower) => compileCommand(lower, decl), fn, streamEvent);
  }

  #register(
    cmd: string,
    compile: (lower: string) => CompiledCommand,
    fn: Handler<never>,
    streamEvent: string,
  ): this {
    if (typeof cmd !== "string" || cmd === "" || cmd.length > 128) {
      throw new TypeError(`command name must be a non-empty string, got ${JSON.stringify(cmd)}`);
    }
    if (typeof fn !== "function") throw new TypeError(`handler for '${cmd}' must be a function`);
    const lower = cmd.toLowerCase();
    if (BUILTIN_COMMANDS.has(lower)) {
      throw new TypeError(
        lower === "cancel"
          ? "'cancel' is a built-in command; use onCancel() to react to cancel"
          : `'${lower}' is a built-in command; give the handler another name`,
      );
    }
    this.#commands.set(lower, { command: compile(lower), handler: fn, streamEvent });
    return this;
  }

  /**
   * Unregisters command `cmd` (requests already running finish). Later requests for it get
   * `unknown command`. Returns whether it was registered.
   */
  removeCommand(cmd: string): boolean {
    return typeof cmd === "string" && this.#commands.delete(cmd.toLowerCase());
  }

  /** Sets the function that receives binary frames from clients. */
  onData(fn: (payload: Buffer, from: Sender) => void): this {
    this.#dataHandler = fn;
    return this;
  }

  /**
   * Adds a function called on every `cancel` request, after the sender's matching requests are
   * aborted: for work that belongs to no single request (for example speech already queued).
   */
  onCancel(fn: (from: Sender, target: RequestId | undefined) => void): this {
    this.#cancelHooks.push(fn);
    return this;
  }

  /** Changes the state and broadcasts `state_changed` when it differs. */
  setState(state: string): void {
    if (typeof state !== "string" || state === "") {
      throw new TypeError(`state must be a non-empty string, got ${JSON.stringify(state)}`);
    }
    if (state === this.#state) return;
    this.#state = state;
    this.broadcast("state_changed", { state });
  }

  /**
   * Sends an event to every subscriber.
   * @throws TypeError when the event cannot be serialised; PipeToolError `ETOOBIG` when it is
   *   over `limits.maxMessageBytes`.
   */
  broadcast(event: string, fields?: Record<string, unknown>): void {
    this.#subs.broadcastLine(this.#encodeOwn(makeEvent(event, fields, undefined)));
  }

  /**
   * Sends an event to one client. Returns false when it is not subscribed or its pipe failed.
   * @throws like {@link broadcast}.
   */
  send(to: Sender | string, event: string, fields?: Record<string, unknown>): boolean {
    const sub = this.#subs.get(typeof to === "string" ? to : to.key);
    return sub?.sendLine(this.#encodeOwn(makeEvent(event, fields, undefined))) ?? false;
  }

  /** Encodes a message the application sends of its own accord: its mistakes are thrown to it. */
  #encodeOwn(msg: EventMessage): string {
    const line = JSON.stringify(msg) + "\n";
    const max = this.#limits.maxMessageBytes;
    if (line.length * 3 > max && Buffer.byteLength(line) - 1 > max) {
      throw new PipeToolError(
        "ETOOBIG",
        `event '${msg.event}' ${tooBig(Buffer.byteLength(line) - 1, max, RAISE_SERVER_MESSAGES)}`,
      );
    }
    return line;
  }

  /** Sends a binary frame to one client's data channel. */
  sendData(to: Sender | string, payload: Uint8Array): boolean {
    return this.#subs.get(typeof to === "string" ? to : to.key)?.sendData(payload) ?? false;
  }

  /** Sends a binary frame to every client that opened a data channel. */
  broadcastData(payload: Uint8Array): void {
    for (const sub of this.#subs.all()) sub.sendData(payload);
  }

  /**
   * Creates the pipes and starts serving.
   * @throws PipeToolError `EINUSE` when a live server already serves this name, `EUNSAFEPIPE`
   *   when a pipe path is not a FIFO of ours, `EBADNAME`, `EIO`.
   */
  async listen(): Promise<this> {
    if (this.#listening || this.#closing !== undefined) {
      throw new PipeToolError("EINVAL", `server '${this.name}' was already started`);
    }
    this.#listening = true;
    if (this.#help === undefined && this.#opts.helpFile !== undefined) {
      const file = this.#opts.helpFile;
      const path = file instanceof URL ? fileURLToPath(file) : file;
      this.#help = await fs.readFile(path, "utf8").catch(() => {
        this.#log(`help file ${path} is unreadable; get_help serves the description`);
        return undefined;
      });
    }
    await ensurePipeDir(this.dir);
    this.#subs.start();
    try {
      const inUse = `tool '${this.name}' is already served`;
      const upstream = await claimPipe(this.paths.upstream, inUse, this.#owned);
      const data = await claimPipe(this.paths.dataUpstream, inUse, this.#owned);
      this.#readers.push(
        new FifoReader(upstream, {
          onData: (chunk) => this.#inbound.push(chunk),
          onError: (err) => this.#log(`upstream read failed: ${err.message}`),
        }),
        new FifoReader(
          data,
          {
            onData: (chunk) => this.#inbox.push(chunk),
            onError: (err) => this.#log(`data read failed: ${err.message}`),
          },
          { fresh: true },
        ),
      );
    } catch (err) {
      this.#listening = false;
      await this.#release();
      throw err;
    }
    this.#timer = setInterval(() => this.#tick(), this.#limits.livenessIntervalMs);
    this.#timer.unref();
    process.on("exit", this.#exitHandler);
    if (this.#opts.handleSignals ?? true) this.#installSignals();
    return this;
  }

  async #release(): Promise<void> {
    for (const reader of this.#readers) reader.close();
    this.#readers = [];
    await Promise.all(this.#owned.map(releasePipe));
    this.#owned = [];
    this.#subs.stop();
    process.off("exit", this.#exitHandler);
  }

  #installSignals(): void {
    const handler = (signal: NodeJS.Signals): void => {
      this.#removeSignals();
      // When nobody else handles the signal, re-raise it once stopped, for the default
      // behaviour (exit by signal). Decided now: other handlers may be gone by then.
      const alone = process.listenerCount(signal) === 0;
      void this.close().then(() => {
        if (alone) process.kill(process.pid, signal);
      });
    };
    this.#signalHandler = handler;
    process.once("SIGINT", handler);
    process.once("SIGTERM", handler);
  }

  #removeSignals(): void {
    if (this.#signalHandler === undefined) return;
    process.off("SIGINT", this.#signalHandler);
    process.off("SIGTERM", this.#signalHandler);
    this.#signalHandler = undefined;
  }

  /**
   * Stops: broadcasts `state_changed` -> `stopping`, cancels requests in flight, flushes and
   * closes every client pipe, and removes the server's pipes. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #shutdown(): Promise<void> {
    this.#removeSignals();
    if (this.#listening) this.setState("stopping");
    clearInterval(this.#timer);
    for (const reader of this.#readers) reader.close();
    this.#readers = [];
    for (const abort of this.#unrouted) abort.abort(new Error("server stopping"));
    await Promise.all(this.#subs.all().map((sub) => this.#subs.drop(sub, "stopping")));
    await this.#release();
    this.#resolveClosed();
  }

  #tick(): void {
    const now = Date.now();
    this.#subs.checkLiveness(now);
    this.#inbound.sweep(now);
    this.#inbox.sweep(this.#limits.staleMs, now);
  }

  // ---- requests ----

  #route(sender: Sender, msg: Record<string, unknown>): void {
    const pending = this.#pendingSubscribe.get(sender.key);
    // Keep each sender's order: requests after a subscribe wait until it completes.
    const result =
      pending === undefined
        ? this.#dispatch(sender, msg)
        : pending.then(() => this.#dispatch(sender, msg));
    if (result === undefined) return;
    this.#pendingSubscribe.set(sender.key, result);
    void result.finally(() => {
      if (this.#pendingSubscribe.get(sender.key) === result)
        this.#pendingSubscribe.delete(sender.key);
    });
  }

  #error(to: Sender, message: string, code: WireErrorCode, id: RequestId | undefined): void {
    this.#subs.deliver(to, makeEvent("error", errorFields(message, code, ours(to, id)), id));
  }

  /**
   * Tells a sender (or whoever a line's first bytes named) that its input was refused, with the
   * request id or fragment id it refers to; logs it when nobody can be told.
   */
  #reject(to: Sender | string, message: string, code: WireErrorCode, ref: ErrorRef): void {
    const sub = this.#subs.get(typeof to === "string" ? to : to.key);
    if (sub === undefined) {
      this.#log(`${message} (sender unknown, dropped)`);
      return;
    }
    const msg = makeEvent(
      "error",
      errorFields(message, code, ours(sub, ref.id) || ref.frag !== undefined),
      ref.id,
    );
    if (ref.frag !== undefined) msg["frag"] = ref.frag;
    this.#subs.deliver(sub, msg);
  }

  /** Handles one request; returns a promise only for a subscribe, which later requests wait on. */
  #dispatch(sender: Sender, msg: Record<string, unknown>): Promise<void> | undefined {
    const rawId = msg["id"];
    const id = isRequestId(rawId) ? rawId : undefined;
    if (rawId !== undefined && id === undefined) {
      const message = "'id' must be a number or a string of at most 128 characters";
      this.#error(sender, message, WireErrorCode.BadRequest, undefined);
      return undefined;
    }
    const rawCmd = msg["cmd"];
    if (typeof rawCmd !== "string" || rawCmd === "") {
      this.#error(sender, "missing or non-string 'cmd'", WireErrorCode.BadRequest, id);
      return undefined;
    }
    const cmd = rawCmd.toLowerCase();
    if (cmd === "subscribe") return this.#subs.subscribe(sender, msg, id);
    const builtin = Object.hasOwn(this.#builtins, cmd) ? this.#builtins[cmd] : undefined;
    if (builtin !== undefined) {
      const fail = (err: unknown): void =>
        this.#error(sender, String(err), WireErrorCode.HandlerError, id);
      try {
        const done = builtin(sender, msg, id);
        if (done instanceof Promise) done.catch(fail);
      } catch (err) {
        fail(err);
      }
      return undefined;
    }
    const registered = this.#commands.get(cmd);
    if (registered === undefined) {
      this.#error(sender, `unknown command '${cmd}'`, WireErrorCode.UnknownCommand, id);
      return undefined;
    }
    this.#start(sender, cmd, id, msg, registered);
    return undefined;
  }

  #start(
    sender: Sender,
    cmd: string,
    id: RequestId | undefined,
    msg: Record<string, unknown>,
    reg: Registered,
  ): void {
    const sub = this.#subs.get(sender.key);
    const limit = this.#limits.maxInFlightPerClient;
    if (sub !== undefined && sub.inFlight.size >= limit) {
      const message = `too many requests in flight (limit ${limit})`;
      this.#error(sender, message, WireErrorCode.Refused, id);
      return;
    }
    if (sub === undefined && this.#unrouted.size >= limit) {
      // Nobody can be told (an unsubscribed sender gets no replies): bound the work instead.
      this.#log(
        `dropped '${cmd}' from unsubscribed ${sender.key || "sender"}: ${limit} such requests already running`,
      );
      return;
    }
    const abort = new AbortController();
    const slot = {};
    if (sub !== undefined) sub.inFlight.set(slot, { id, abort });
    else this.#unrouted.add(abort);
    const rawArgs: Record<string, unknown> = {};
    copyFields(rawArgs, msg, ADDRESS_FIELDS);
    const job = {
      cmd,
      id,
      sender,
      rawArgs,
      command: reg.command,
      handler: reg.handler,
      streamEvent: reg.streamEvent,
      signal: abort.signal,
    };
    void runRequest(job, this.#outbox).finally(() => {
      sub?.inFlight.delete(slot);
      this.#unrouted.delete(abort);
    });
  }

  #cancel(sender: Sender, target: unknown): number {
    const sub = this.#subs.get(sender.key);
    let count = 0;
    for (const [slot, entry] of sub?.inFlight ?? []) {
      if (target === undefined || entry.id === target) {
        entry.abort.abort(new Error("cancelled"));
        sub?.inFlight.delete(slot);
        count++;
      }
    }
    const ref = isRequestId(target) ? target : undefined;
    for (const hook of this.#cancelHooks) {
      try {
        hook(sender, ref);
      } catch (err) {
        this.#log(`cancel hook failed: ${(err as Error).message}`);
      }
    }
    return count;
  }

  #interfaceName(): string {
    return this.#opts.interfaceName ?? this.name;
  }

  /** The tool's own interface, built from its registered commands. */
  interface(): InterfaceSpec {
    const registered = [...this.#commands.values()];
    const events = registered.flatMap((r) => r.command.events);
    return {
      name: this.#interfaceName(),
      description: this.#opts.interfaceDescription ?? this.#description,
      commands: registered.map((r) => r.command.spec),
      events: [...new Map(events.map((e) => [e.name, e])).values()],
    };
  }

  // ---- incoming binary ----

  #onSharedFrame(senderId: number, payload: Buffer): void {
    const sub = this.#subs.byDataId(senderId);
    if (sub === undefined) {
      this.#log(
        `data channel: dropped a ${payload.length}-byte frame from unknown sender ${senderId}`,
      );
      return;
    }
    this.#onFrame(sub, payload);
  }

  #onFrame(sub: Subscriber, payload: Buffer): void {
    if (this.#dataHandler === undefined) return;
    try {
      this.#dataHandler(payload, sub);
    } catch (err) {
      const message = `data handler failed: ${(err as Error).message}`;
      this.#reject(sub, message, WireErrorCode.HandlerError, {});
    }
  }
}
