/**
 * ToolServer: serves one tool on `<dir>/tool-<name>`. Built-in commands, registered handlers,
 * states, broadcasts, streams and the binary data channel. See PROTOCOL.md for the wire format.
 */
import fs from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { z } from "zod";
import { PipeToolError } from "../errors.js";
import { FragmentAssembler } from "../framing/fragments.js";
import { LineDecoder, encodeLine } from "../framing/lines.js";
import type { EventMessage, RequestId } from "../protocol/messages.js";
import { PROTOCOL_VERSION, WireErrorCode, isRecord, isRequestId } from "../protocol/messages.js";
import type { CommandDeclaration, CompiledCommand } from "../schema/command.js";
import { compileCommand, compileUntyped } from "../schema/command.js";
import type { InterfaceSpec } from "../schema/interface.js";
import { BASE_INTERFACE } from "../schema/interface.js";
import {
  causeCode,
  createFifo,
  ensurePipeDir,
  hasReader,
  openFifo,
  removeFifo,
  removeFifoSync,
  unsafeReason,
} from "../transport/fifo.js";
import type { ServerPaths } from "../transport/paths.js";
import {
  clientPaths,
  defaultPipeDir,
  isClientToken,
  serverPaths,
  validateToolName,
} from "../transport/paths.js";
import { FifoReader } from "../transport/reader.js";
import { PipeWriter } from "../transport/writer.js";
import { DataInbox } from "./data-inbox.js";
import { processUid } from "./identity.js";
import type { Outbox } from "./request.js";
import { makeEvent, runRequest } from "./request.js";
import type { DropReason } from "./subscriber.js";
import { Subscriber } from "./subscriber.js";
import type { Handler, Sender, ServerLimits, ToolServerOptions } from "./types.js";

const DEFAULT_LIMITS: Required<ServerLimits> = {
  maxMessageBytes: 16 * 1024 * 1024,
  maxFrameBytes: 64 * 1024 * 1024,
  maxQueuedBytesPerClient: 8 * 1024 * 1024,
  maxInFlightPerClient: 256,
  maxSubscribers: 1024,
  livenessIntervalMs: 250,
  staleMs: 5000,
};

interface Registered {
  command: CompiledCommand;
  handler: Handler<never>;
  streamEvent: string;
}

type Builtin = (
  sender: Sender,
  msg: Record<string, unknown>,
  id: RequestId | undefined,
) => void | Promise<void>;

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
  readonly #subscribers = new Map<string, Subscriber>();
  readonly #byDataId = new Map<number, Subscriber>();
  readonly #pendingSubscribe = new Map<string, Promise<void>>();
  readonly #unrouted = new Set<AbortController>();
  readonly #builtins: Record<string, Builtin>;
  readonly #outbox: Outbox;
  readonly #lines: LineDecoder;
  readonly #fragments: FragmentAssembler;
  readonly #inbox: DataInbox;
  #description: string;
  #help: string | undefined;
  #state: string;
  #dataHandler: ((payload: Buffer, from: Sender) => void) | undefined;
  #readers: FifoReader[] = [];
  #owned: { path: string; ino: number }[] = [];
  #timer: NodeJS.Timeout | undefined;
  #listening = false;
  #closing: Promise<void> | undefined;
  #resolveClosed!: () => void;
  #signalHandler: ((signal: NodeJS.Signals) => void) | undefined;
  readonly #exitHandler = (): void => {
    for (const { path } of this.#owned) removeFifoSync(path);
  };

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
    this.#outbox = {
      deliver: (to, msg) => this.#deliver(to, msg),
      sendData: (to, payload) => this.sendData(to, payload),
    };
    this.#lines = new LineDecoder({
      maxLineBytes: this.#limits.maxMessageBytes,
      onLine: (line) => this.#onLine(line),
      onOversize: ({ bytes, head }) => {
        const message = `message of ${bytes} bytes exceeds the limit of ${this.#limits.maxMessageBytes}`;
        this.#rejectLine(head, message, WireErrorCode.TooBig);
      },
    });
    this.#fragments = new FragmentAssembler({
      maxMessageBytes: this.#limits.maxMessageBytes,
      maxPending: 256,
      staleMs: this.#limits.staleMs,
    });
    this.#inbox = new DataInbox({
      maxFrameBytes: this.#limits.maxFrameBytes,
      onFrame: (senderId, payload) => this.#onFrame(senderId, payload),
      onProblem: (message) => this.#log(`data channel: ${message}`),
    });
    this.#builtins = this.#makeBuiltins();
  }

  /** Current state. */
  get state(): string {
    return this.#state;
  }

  /** The subscribed clients. */
  get subscribers(): readonly Sender[] {
    return [...this.#subscribers.values()];
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
    return this.#register(cmd, compileUntyped(cmd.toLowerCase()), fn, "token");
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
    const lower = cmd.toLowerCase();
    const streamEvent = decl.stream === true && decl.reply !== undefined ? decl.reply : "token";
    return this.#register(lower, compileCommand(lower, decl), fn, streamEvent);
  }

  #register(cmd: string, command: CompiledCommand, fn: Handler<never>, streamEvent: string): this {
    if (typeof cmd !== "string" || cmd === "" || cmd.length > 128) {
      throw new TypeError(`command name must be a non-empty string, got ${JSON.stringify(cmd)}`);
    }
    if (typeof fn !== "function") throw new TypeError(`handler for '${cmd}' must be a function`);
    const lower = cmd.toLowerCase();
    if (lower in this.#builtins) throw new TypeError(`'${lower}' is a built-in command`);
    this.#commands.set(lower, { command, handler: fn, streamEvent });
    return this;
  }

  /** Sets the function that receives binary frames from clients. */
  onData(fn: (payload: Buffer, from: Sender) => void): this {
    this.#dataHandler = fn;
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

  /** Sends an event to every subscriber. */
  broadcast(event: string, fields?: Record<string, unknown>): void {
    const line = encodeLine(makeEvent(event, fields, undefined));
    for (const sub of this.#subscribers.values()) sub.sendLine(line);
  }

  /** Sends an event to one client. Returns false when it is not subscribed or its pipe failed. */
  send(to: Sender | string, event: string, fields?: Record<string, unknown>): boolean {
    const sub = this.#subscribers.get(typeof to === "string" ? to : to.key);
    return sub?.sendLine(encodeLine(makeEvent(event, fields, undefined))) ?? false;
  }

  /** Sends a binary frame to one client's data channel. */
  sendData(to: Sender | string, payload: Uint8Array): boolean {
    return this.#subscribers.get(typeof to === "string" ? to : to.key)?.sendData(payload) ?? false;
  }

  /** Sends a binary frame to every client that opened a data channel. */
  broadcastData(payload: Uint8Array): void {
    for (const sub of this.#subscribers.values()) sub.sendData(payload);
  }

  /**
   * Creates the pipes and starts serving.
   * @throws PipeToolError `EINUSE` when a live server already serves this name, `EUNSAFEPIPE`
   *   when a pipe path is not a FIFO of ours, `EBADNAME`, `EIO`.
   */
  async listen(): Promise<this> {
    if (this.#listening || this.#closing !== undefined) {
      throw new PipeToolError("EIO", `server '${this.name}' was already started`);
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
    try {
      const upstream = await this.#claim(this.paths.upstream);
      const data = await this.#claim(this.paths.dataUpstream);
      this.#readers.push(
        new FifoReader(upstream, {
          onData: (chunk) => this.#lines.push(chunk),
          onError: (err) => this.#log(`upstream read failed: ${err.message}`),
        }),
        new FifoReader(data, {
          onData: (chunk) => this.#inbox.push(chunk),
          onError: (err) => this.#log(`data read failed: ${err.message}`),
        }),
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

  /** Creates (or takes over from a dead server) one of our pipes and opens it read-write. */
  async #claim(path: string): Promise<number> {
    const existing = await fs.lstat(path).catch(() => undefined);
    if (existing !== undefined) {
      const reason = existing.isSymbolicLink() ? "it is a symbolic link" : unsafeReason(existing);
      if (reason !== undefined)
        throw new PipeToolError("EUNSAFEPIPE", `refusing ${path}: ${reason}`);
      if (await hasReader(path)) {
        throw new PipeToolError(
          "EINUSE",
          `tool '${this.name}' is already served: a live process reads ${path}. Stop it first, or choose another name.`,
        );
      }
      await removeFifo(path); // a stale pipe of ours from a server that died
    }
    try {
      await createFifo(path);
    } catch (err) {
      if (causeCode(err) === "EEXIST") {
        throw new PipeToolError(
          "EINUSE",
          `cannot create ${path}: it exists and is not a pipe of yours, or another server is starting under the name '${this.name}'`,
          { cause: err },
        );
      }
      throw err;
    }
    const fd = await openFifo(path, "readwrite");
    const st = await fs.stat(path);
    this.#owned.push({ path, ino: st.ino });
    return fd;
  }

  async #release(): Promise<void> {
    for (const reader of this.#readers) reader.close();
    this.#readers = [];
    for (const { path, ino } of this.#owned) {
      // Remove only the pipe we created, never a successor's.
      const st = await fs.lstat(path).catch(() => undefined);
      if (st !== undefined && st.ino === ino) await removeFifo(path).catch(() => false);
    }
    this.#owned = [];
    process.off("exit", this.#exitHandler);
  }

  #installSignals(): void {
    const handler = (signal: NodeJS.Signals): void => {
      this.#removeSignals();
      void this.close().then(() => {
        // Nobody else handles it: re-raise for the default behaviour (exit by signal).
        if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
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
    await Promise.all([...this.#subscribers.values()].map((sub) => this.#drop(sub, "stopping")));
    await this.#release();
    this.#resolveClosed();
  }

  // ---- incoming text ----

  #onLine(line: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      this.#rejectLine(line, "malformed message: not valid JSON", WireErrorCode.BadRequest);
      return;
    }
    if (!isRecord(msg)) {
      this.#rejectLine(
        line,
        "malformed message: a request must be a JSON object",
        WireErrorCode.BadRequest,
      );
      return;
    }
    if ("frag" in msg) {
      this.#onFragment(msg, line);
      return;
    }
    if (Object.keys(msg).length === 0) return; // the reference ignores {}
    this.#route(msg);
  }

  #onFragment(msg: Record<string, unknown>, line: string): void {
    const sender = this.#senderOf(msg);
    if (sender === undefined) {
      this.#rejectLine(line, "fragment without a valid pid", WireErrorCode.BadRequest);
      return;
    }
    const result = this.#fragments.add(sender.key, msg);
    if (result.kind === "partial") return;
    if (result.kind === "error") {
      const code =
        result.error.code === "ETOOBIG" ? WireErrorCode.TooBig : WireErrorCode.BadRequest;
      this.#deliver(sender, makeEvent("error", { message: result.error.message, code }, undefined));
      return;
    }
    let whole: unknown;
    try {
      whole = JSON.parse(result.line);
    } catch {
      whole = undefined;
    }
    if (!isRecord(whole) || "frag" in whole) {
      const message = "malformed message: reassembled fragments are not a JSON request";
      this.#deliver(
        sender,
        makeEvent("error", { message, code: WireErrorCode.BadRequest }, undefined),
      );
      return;
    }
    this.#route(whole);
  }

  /** Answers a line we could not use, when its sender can be told from its first bytes. */
  #rejectLine(head: string, message: string, code: WireErrorCode): void {
    const pid = /"pid"\s*:\s*(\d{1,10})/.exec(head)?.[1];
    const client = /"client"\s*:\s*"(c[0-9a-f]{1,16})"/.exec(head)?.[1];
    const key = pid === undefined ? undefined : client === undefined ? pid : `${pid}-${client}`;
    const sub = key === undefined ? undefined : this.#subscribers.get(key);
    if (sub !== undefined)
      sub.sendLine(encodeLine(makeEvent("error", { message, code }, undefined)));
    else this.#log(`${message} (sender unknown, dropped)`);
  }

  #senderOf(msg: Record<string, unknown>): Sender | undefined {
    const { pid, client } = msg;
    if (pid !== undefined && !(Number.isSafeInteger(pid) && (pid as number) > 0)) return undefined;
    if (client !== undefined && !isClientToken(client)) return undefined;
    const p = pid as number | undefined;
    const c = client;
    const key = p === undefined ? "" : c === undefined ? `${p}` : `${p}-${c}`;
    return { pid: p, client: c, key };
  }

  #route(msg: Record<string, unknown>): void {
    const sender = this.#senderOf(msg);
    if (sender === undefined) {
      this.#log(
        `dropped a request with an invalid pid or client: ${JSON.stringify(msg).slice(0, 200)}`,
      );
      return;
    }
    const pending = this.#pendingSubscribe.get(sender.key);
    if (pending !== undefined) {
      // Keep this sender's order: handle it after its subscribe completes.
      const next = pending.then(() => this.#dispatch(sender, msg));
      this.#pendingSubscribe.set(sender.key, next);
      void next.finally(() => {
        if (this.#pendingSubscribe.get(sender.key) === next)
          this.#pendingSubscribe.delete(sender.key);
      });
      return;
    }
    const result = this.#dispatch(sender, msg);
    if (result instanceof Promise) {
      this.#pendingSubscribe.set(sender.key, result);
      void result.finally(() => {
        if (this.#pendingSubscribe.get(sender.key) === result)
          this.#pendingSubscribe.delete(sender.key);
      });
    }
  }

  /** Handles one request; returns a promise only for a subscribe, which later requests wait on. */
  #dispatch(sender: Sender, msg: Record<string, unknown>): Promise<void> | undefined {
    const rawId = msg["id"];
    const id = isRequestId(rawId) ? rawId : undefined;
    if (rawId !== undefined && id === undefined) {
      this.#deliver(
        sender,
        makeEvent(
          "error",
          {
            message: "'id' must be a number or a string of at most 128 characters",
            code: WireErrorCode.BadRequest,
          },
          undefined,
        ),
      );
      return undefined;
    }
    const rawCmd = msg["cmd"];
    if (typeof rawCmd !== "string" || rawCmd === "") {
      this.#deliver(
        sender,
        makeEvent(
          "error",
          { message: "missing or non-string 'cmd'", code: WireErrorCode.BadRequest },
          id,
        ),
      );
      return undefined;
    }
    const cmd = rawCmd.toLowerCase();
    if (cmd === "subscribe") return this.#subscribe(sender, msg, id);
    const builtin = Object.hasOwn(this.#builtins, cmd) ? this.#builtins[cmd] : undefined;
    if (builtin !== undefined) {
      void Promise.resolve(builtin(sender, msg, id)).catch((err: unknown) => {
        this.#deliver(
          sender,
          makeEvent("error", { message: String(err), code: WireErrorCode.HandlerError }, id),
        );
      });
      return undefined;
    }
    const registered = this.#commands.get(cmd);
    if (registered === undefined) {
      this.#deliver(
        sender,
        makeEvent(
          "error",
          { message: `unknown command '${cmd}'`, code: WireErrorCode.UnknownCommand },
          id,
        ),
      );
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
    const sub = this.#subscribers.get(sender.key);
    if (sub !== undefined && sub.inFlight.size >= this.#limits.maxInFlightPerClient) {
      const message = `too many requests in flight (limit ${this.#limits.maxInFlightPerClient})`;
      this.#deliver(sender, makeEvent("error", { message, code: WireErrorCode.Refused }, id));
      return;
    }
    const abort = new AbortController();
    const slot = `${cmd}#${Math.random()}`;
    if (sub !== undefined) sub.inFlight.set(slot, { id, abort });
    else this.#unrouted.add(abort);
    const rawArgs: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(msg)) {
      if (k !== "pid" && k !== "client" && k !== "id" && k !== "cmd") rawArgs[k] = v;
    }
    void runRequest(
      {
        cmd,
        id,
        sender,
        rawArgs,
        command: reg.command,
        handler: reg.handler,
        streamEvent: reg.streamEvent,
        signal: abort.signal,
      },
      this.#outbox,
    ).finally(() => {
      sub?.inFlight.delete(slot);
      this.#unrouted.delete(abort);
    });
  }

  #deliver(to: Sender, msg: EventMessage): void {
    if (to.pid === undefined) {
      // The reference broadcasts replies to requests that carry no pid.
      const line = encodeLine(msg);
      for (const sub of this.#subscribers.values()) sub.sendLine(line);
      return;
    }
    this.#subscribers.get(to.key)?.sendLine(encodeLine(msg));
  }

  // ---- built-in commands ----

  #makeBuiltins(): Record<string, Builtin> {
    const reply = (
      to: Sender,
      event: string,
      fields: Record<string, unknown> | undefined,
      id: RequestId | undefined,
    ): void => this.#deliver(to, makeEvent(event, fields, id));
    return {
      subscribe: () => undefined, // handled in #dispatch (it is asynchronous)
      unsubscribe: async (sender, _msg, id) => {
        const sub = this.#subscribers.get(sender.key);
        if (id !== undefined) reply(sender, "ok", undefined, id);
        if (sub !== undefined) await this.#drop(sub, "unsubscribed");
      },
      ping: (sender, _msg, id) => reply(sender, "pong", undefined, id),
      get_state: (sender, _msg, id) => reply(sender, "state", { state: this.#state }, id),
      get_description: (sender, _msg, id) =>
        reply(sender, "description", { description: this.#description }, id),
      get_help: (sender, _msg, id) =>
        reply(sender, "help", { help: this.#help ?? this.#description }, id),
      get_config: (sender, _msg, id) => {
        const config =
          typeof this.#opts.config === "function" ? this.#opts.config() : (this.#opts.config ?? {});
        reply(sender, "config", config, id);
      },
      list_interfaces: (sender, _msg, id) => {
        const names = ["base"];
        if (this.#commands.size > 0) names.push(this.#interfaceName());
        reply(sender, "interfaces", { interfaces: names }, id);
      },
      get_interface: (sender, msg, id) => {
        const name = msg["name"] === undefined || msg["name"] === "" ? "base" : msg["name"];
        const found =
          name === "base"
            ? BASE_INTERFACE
            : name === this.#interfaceName()
              ? this.interface()
              : undefined;
        if (found === undefined) {
          const message = `unknown interface '${typeof name === "string" ? name : JSON.stringify(name)}'`;
          reply(sender, "error", { message, code: WireErrorCode.BadArgs }, id);
        } else {
          reply(sender, "interface", { interface: found }, id);
        }
      },
      cancel: (sender, msg, id) => {
        const target = msg["target"];
        const sub = this.#subscribers.get(sender.key);
        let count = 0;
        for (const [slot, entry] of sub?.inFlight ?? []) {
          if (target === undefined || entry.id === target) {
            entry.abort.abort(new Error("cancelled"));
            sub?.inFlight.delete(slot);
            count++;
          }
        }
        reply(sender, "cancelled", { cancelled: count }, id);
      },
      stop: (sender, _msg, id) => {
        if (id !== undefined) reply(sender, "ok", undefined, id);
        void this.close();
      },
    };
  }

  #interfaceName(): string {
    return this.#opts.interfaceName ?? this.name;
  }

  /** The tool's own interface, built from its registered commands. */
  interface(): InterfaceSpec {
    const commands = [...this.#commands.values()].map((r) => r.command.spec);
    const events = [...this.#commands.values()].flatMap((r) => r.command.events);
    return {
      name: this.#interfaceName(),
      description: this.#opts.interfaceDescription ?? this.#description,
      commands,
      events: [...new Map(events.map((e) => [e.name, e])).values()],
    };
  }

  // ---- subscribers ----

  async #subscribe(
    sender: Sender,
    msg: Record<string, unknown>,
    id: RequestId | undefined,
  ): Promise<void> {
    if (sender.pid === undefined) {
      this.#log("dropped a subscribe without a pid");
      return;
    }
    const existing = this.#subscribers.get(sender.key);
    if (existing !== undefined) {
      // Re-subscribing reuses the open pipe instead of leaking a second fd.
      existing.sendLine(encodeLine(this.#subscribedEvent(existing, id)));
      return;
    }
    const paths = clientPaths(this.name, this.dir, sender.pid, sender.client);
    const refuse = async (message: string): Promise<void> => {
      this.#log(`refused subscribe from ${sender.key}: ${message}`);
      await this.#replyOnce(
        paths.downstream,
        makeEvent("error", { message, code: WireErrorCode.Refused }, id),
      );
    };
    if (this.#closing !== undefined) return refuse("server is stopping");
    if (this.#subscribers.size >= this.#limits.maxSubscribers) {
      return refuse(`too many subscribers (limit ${this.#limits.maxSubscribers})`);
    }
    const uid = await processUid(sender.pid);
    if (uid === null) return this.#log(`refused subscribe from ${sender.key}: no such process`);
    if (uid !== undefined && typeof process.geteuid === "function" && uid !== process.geteuid()) {
      return this.#log(`refused subscribe from ${sender.key}: process belongs to uid ${uid}`);
    }
    let fd: number;
    try {
      fd = await openFifo(paths.downstream, "write");
    } catch (err) {
      this.#log(`cannot reply to ${sender.key}: ${(err as Error).message}`);
      return;
    }
    if (this.#closing !== undefined || this.#subscribers.has(sender.key)) {
      await new PipeWriter(fd).close({ flush: false });
      return;
    }
    const sub: Subscriber = new Subscriber({
      pid: sender.pid,
      client: sender.client,
      key: sender.key,
      downstreamPath: paths.downstream,
      writer: new PipeWriter(fd, {
        maxQueuedBytes: this.#limits.maxQueuedBytesPerClient,
        onError: (err) => {
          this.#log(`dropping client ${sender.key}: ${err.message}`);
          void this.#drop(sub, err.code === "ETOOBIG" ? "write-failed" : "gone");
        },
      }),
    });
    this.#subscribers.set(sender.key, sub);
    await this.#openDataChannel(sub, msg["data_id"], paths.dataDownstream);
    sub.sendLine(encodeLine(this.#subscribedEvent(sub, id)));
  }

  #subscribedEvent(sub: Subscriber, id: RequestId | undefined): EventMessage {
    return makeEvent(
      "subscribed",
      { protocol: PROTOCOL_VERSION, data: sub.dataWriter !== undefined },
      id,
    );
  }

  async #openDataChannel(sub: Subscriber, rawDataId: unknown, path: string): Promise<void> {
    const dataId = rawDataId === undefined && sub.client === undefined ? sub.pid : rawDataId;
    if (
      typeof dataId !== "number" ||
      !Number.isInteger(dataId) ||
      dataId <= 0 ||
      dataId > 0xffffffff
    )
      return;
    if (this.#byDataId.has(dataId)) return;
    let fd: number;
    try {
      fd = await openFifo(path, "write");
    } catch (err) {
      if (rawDataId !== undefined)
        this.#log(`no data channel for ${sub.key}: ${(err as Error).message}`);
      return;
    }
    if (this.#subscribers.get(sub.key) !== sub) {
      await new PipeWriter(fd).close({ flush: false });
      return;
    }
    sub.dataId = dataId;
    sub.dataPath = path;
    sub.dataWriter = new PipeWriter(fd, {
      maxQueuedBytes: this.#limits.maxQueuedBytesPerClient * 4,
      onError: (err) => {
        this.#log(`dropping client ${sub.key}: data channel: ${err.message}`);
        void this.#drop(sub, "write-failed");
      },
    });
    this.#byDataId.set(dataId, sub);
  }

  /** Sends one message to a client that is not subscribed (a refusal), then closes. */
  async #replyOnce(path: string, msg: EventMessage): Promise<void> {
    try {
      const writer = new PipeWriter(await openFifo(path, "write"));
      writer.write(encodeLine(msg));
      await writer.close({ timeoutMs: 200 });
    } catch {
      // The client is not reading: nothing more we can tell it.
    }
  }

  async #drop(sub: Subscriber, reason: DropReason): Promise<void> {
    if (this.#subscribers.get(sub.key) !== sub) return;
    this.#subscribers.delete(sub.key);
    if (sub.dataId !== undefined && this.#byDataId.get(sub.dataId) === sub) {
      this.#byDataId.delete(sub.dataId);
      this.#inbox.dropSender(sub.dataId);
    }
    this.#fragments.dropSender(sub.key);
    sub.abortAll(reason === "stopping" ? "server stopping" : "client went away");
    const flush = reason === "unsubscribed" || reason === "stopping";
    await Promise.all([
      sub.writer.close({ flush, timeoutMs: 1000 }),
      sub.dataWriter?.close({ flush, timeoutMs: 1000 }),
    ]);
    if (reason === "gone") {
      // The client died without cleaning up: its pipes would otherwise be left behind.
      await removeFifo(sub.downstreamPath).catch(() => false);
      if (sub.dataPath !== undefined) await removeFifo(sub.dataPath).catch(() => false);
    }
  }

  #tick(): void {
    for (const sub of this.#subscribers.values()) {
      try {
        process.kill(sub.pid, 0);
      } catch {
        // ESRCH: it died. EPERM: the pid now belongs to another user's process.
        this.#log(`client ${sub.key} is gone; dropping it`);
        void this.#drop(sub, "gone");
      }
    }
    this.#fragments.sweep();
    this.#inbox.sweep(this.#limits.staleMs);
  }

  // ---- incoming binary ----

  #onFrame(senderId: number, payload: Buffer): void {
    const sub = this.#byDataId.get(senderId);
    if (sub === undefined) {
      this.#log(
        `data channel: dropped a ${payload.length}-byte frame from unknown sender ${senderId}`,
      );
      return;
    }
    if (this.#dataHandler === undefined) return;
    try {
      this.#dataHandler(payload, sub);
    } catch (err) {
      sub.sendLine(
        encodeLine(
          makeEvent(
            "error",
            {
              message: `data handler failed: ${(err as Error).message}`,
              code: WireErrorCode.HandlerError,
            },
            undefined,
          ),
        ),
      );
    }
  }
}
