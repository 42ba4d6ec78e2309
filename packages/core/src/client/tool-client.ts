/**
 * ToolClient: connects to a running tool server, makes calls matched to replies by id, streams,
 * listens to broadcasts and exchanges binary frames. See PROTOCOL.md.
 */
import { randomBytes, randomInt } from "node:crypto";
import { EventEmitter } from "node:events";
import { PipeToolError, RemoteError } from "../errors.js";
import { BinaryFrameDecoder, encodeUpstreamFrames } from "../framing/binary.js";
import { fragmentLine } from "../framing/fragments.js";
import { LineDecoder } from "../framing/lines.js";
import type { EventMessage, RequestId } from "../protocol/messages.js";
import { REQUEST_META_FIELDS, isRecord, isTerminal } from "../protocol/messages.js";
import { causeCode, createFifo, openFifo, removeFifo } from "../transport/fifo.js";
import type { ClientPaths, ServerPaths } from "../transport/paths.js";
import { ATOMIC_WRITE_BYTES, clientPaths, serverPaths } from "../transport/paths.js";
import { FifoReader } from "../transport/reader.js";
import { PipeWriter } from "../transport/writer.js";
import { forgetPipes, rememberPipes } from "./exit-cleanup.js";
import type { CallOptions, ConnectOptions, PendingEntry, StreamOptions } from "./options.js";
import { resolveTarget } from "./options.js";
import { ReferenceCalls } from "./reference-calls.js";
import { leaveReferenceServer, pathExists, pidOnlyPipe } from "./reference-detect.js";
import { ToolStream } from "./stream.js";

export type { CallOptions, ConnectOptions, PendingEntry, StreamOptions } from "./options.js";

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
  /** Pipe directory. */
  readonly dir: string;
  /** This client's token (part of its pipe names; unused with `compat: "reference"`). */
  readonly clientToken: string;
  /** Resolves when the connection ends: `undefined` after `close()`, else the error that ended it. */
  readonly closed: Promise<PipeToolError | undefined>;

  readonly #server: ServerPaths;
  readonly #own: ClientPaths;
  readonly #callTimeoutMs: number;
  readonly #events = new EventEmitter();
  readonly #pending = new Map<RequestId, PendingEntry>();
  readonly #lines: LineDecoder;
  #reader: FifoReader | undefined;
  #writer: PipeWriter | undefined;
  #dataReader: FifoReader | undefined;
  #dataWriter: PipeWriter | undefined;
  #dataId: number | undefined;
  #nextId = 1;
  #fragSeq = 0;
  #ended: PipeToolError | undefined;
  #resolveClosed!: (err: PipeToolError | undefined) => void;
  #dataParts: Buffer[] = [];
  #subscribed = false;
  readonly #trace: ConnectOptions["trace"];
  /** Talking to a reference server (see ConnectOptions.compat). */
  readonly #reference: boolean;
  /** With a reference server: one call at a time, answered by event (reference-calls.ts). */
  readonly #refCalls: ReferenceCalls | undefined;

  private constructor(name: string, dir: string, options: ConnectOptions) {
    this.name = name;
    this.dir = dir;
    this.clientToken = `c${randomBytes(6).toString("hex")}`;
    this.#server = serverPaths(name, dir);
    this.#reference = options.compat === "reference";
    this.#refCalls = this.#reference
      ? new ReferenceCalls((id, err) => {
          if (id !== undefined) this.#pending.get(id)?.fail(asPipeError(err));
        })
      : undefined;
    this.#own = clientPaths(name, dir, process.pid, this.#reference ? undefined : this.clientToken);
    this.#callTimeoutMs = options.callTimeoutMs ?? 30_000;
    this.#trace = options.trace;
    this.#events.setMaxListeners(0);
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    this.#lines = new LineDecoder({
      maxLineBytes: options.maxMessageBytes ?? 64 * 1024 * 1024,
      onLine: (line) => this.#onLine(line),
      onOversize: ({ bytes }) =>
        this.#emit({
          event: "error",
          message: `dropped a ${bytes}-byte message from the server: over the limit`,
        }),
    });
  }

  /**
   * Connects to tool `nameOrPath` (a name such as `"chat"`, or a path such as `/tmp/tool-chat`).
   * Fails fast: `ENOSERVER` when nothing serves it, `ETIMEDOUT` when the server does not answer.
   */
  static async connect(nameOrPath: string, options: ConnectOptions = {}): Promise<ToolClient> {
    if (typeof options !== "object" || options === null)
      throw new TypeError("connect options must be an object");
    const timeoutMs = options.timeoutMs ?? 5000;
    if (!(timeoutMs > 0))
      throw new TypeError(`timeoutMs must be a positive number, got ${String(timeoutMs)}`);
    if (
      options.compat !== undefined &&
      options.compat !== "ours" &&
      options.compat !== "reference"
    ) {
      throw new TypeError(
        `compat must be "ours" or "reference", got ${JSON.stringify(options.compat)}`,
      );
    }
    if (options.compat === "reference" && options.data === true) {
      throw new TypeError(
        'a data channel needs one of our servers: it cannot be used with compat: "reference"',
      );
    }
    const { name, dir } = resolveTarget(nameOrPath, options.dir);
    const client = new ToolClient(name, dir, options);
    // Absent now and present after an unanswered subscribe: a server of the Python project.
    const pidPipe = client.#reference ? undefined : pidOnlyPipe(name, dir);
    const watchPidPipe = pidPipe !== undefined && !(await pathExists(pidPipe));
    try {
      await client.#open(options.data === true, options);
      if (options.subscribe !== false) {
        await client.call(
          "subscribe",
          client.#dataId === undefined ? {} : { data_id: client.#dataId },
          {
            timeoutMs,
            ...(options.signal === undefined ? {} : { signal: options.signal }),
          },
        );
        client.#subscribed = true;
      }
    } catch (err) {
      const timedOut = err instanceof PipeToolError && err.code === "ETIMEDOUT";
      const foreign =
        timedOut &&
        watchPidPipe &&
        (await leaveReferenceServer(pidPipe, (line) => client.#writer?.write(line)));
      const error = foreign
        ? new PipeToolError(
            "EREFERENCE",
            `tool '${name}' is a server of the Python named-pipes project (it answered on ${pidPipe}, not on our pipe): connect with compat: "reference"`,
          )
        : timedOut
          ? new PipeToolError(
              "ETIMEDOUT",
              `tool '${name}' did not answer within ${timeoutMs} ms (is its server hung?)`,
            )
          : err;
      client.#leaveReference();
      await client.#shutdown(error instanceof PipeToolError ? error : undefined);
      throw error;
    }
    return client;
  }

  async #open(withData: boolean, options: ConnectOptions): Promise<void> {
    const noServer = (): PipeToolError =>
      new PipeToolError(
        "ENOSERVER",
        `no server for tool '${this.name}': ${this.#server.upstream} does not exist. Is the server running?`,
      );
    rememberPipes(this.#ownPaths());
    await createFifo(this.#own.downstream);
    this.#reader = new FifoReader(await openFifo(this.#own.downstream, "read"), {
      onData: (chunk) => this.#lines.push(chunk),
      onEnd: () => this.#lost(),
      onError: (err) => this.#lost(err),
    });
    try {
      this.#writer = new PipeWriter(await openFifo(this.#server.upstream, "write"), {
        atomic: !this.#reference,
        overflow: "throw",
        maxQueuedBytes: options.maxQueuedBytes ?? 64 * 1024 * 1024,
        onError: (err) => this.#lost(err),
      });
    } catch (err) {
      const code = causeCode(err);
      if (code === "ENOENT") throw noServer();
      if (code === "ENXIO") {
        throw new PipeToolError(
          "ENOSERVER",
          `no server for tool '${this.name}': ${this.#server.upstream} exists but nothing reads it (left by a server that died?)`,
        );
      }
      throw err;
    }
    if (!withData) return;
    this.#dataId = randomInt(0x80000000, 0xffffffff);
    await createFifo(this.#own.dataDownstream);
    const decoder = new BinaryFrameDecoder({
      withSender: false,
      maxFrameBytes: 256 * 1024 * 1024,
      onFrame: ({ payload, more }) => this.#onFrame(payload, more),
      onError: (err) => this.#emit({ event: "error", message: err.message }),
    });
    this.#dataReader = new FifoReader(await openFifo(this.#own.dataDownstream, "read"), {
      onData: (chunk) => decoder.push(chunk),
    });
    this.#dataWriter = new PipeWriter(await openFifo(this.#server.dataUpstream, "write"), {
      atomic: true,
      overflow: "throw",
      maxQueuedBytes: options.maxQueuedBytes ?? 64 * 1024 * 1024,
      onError: (err) => this.#lost(err),
    });
  }

  #ownPaths(): string[] {
    return [this.#own.downstream, this.#own.dataDownstream];
  }

  /** True until the connection ends. */
  get connected(): boolean {
    return this.#ended === undefined;
  }

  /** Whether the data channel is open. */
  get hasData(): boolean {
    return this.#dataWriter !== undefined;
  }

  // ---- sending ----

  #write(cmd: string, args: Record<string, unknown> | undefined, id: RequestId | undefined): void {
    if (this.#ended !== undefined) throw this.#ended;
    if (typeof cmd !== "string" || cmd === "")
      throw new TypeError(`cmd must be a non-empty string, got ${JSON.stringify(cmd)}`);
    if (args !== undefined && !isRecord(args))
      throw new TypeError(`args must be an object, got ${JSON.stringify(args)}`);
    const msg: Record<string, unknown> = { pid: process.pid };
    if (!this.#reference) msg["client"] = this.clientToken;
    // Sent to a reference server too: it ignores the field, and ours then answer by id.
    if (id !== undefined) msg["id"] = id;
    msg["cmd"] = cmd;
    for (const [key, value] of Object.entries(args ?? {})) {
      if (REQUEST_META_FIELDS.has(key) && key !== "data_id")
        throw new TypeError(`args must not contain '${key}'`);
      msg[key] = value;
    }
    if (this.#refCalls !== undefined) {
      // The reference cannot join fragments: send the line whole, as its clients do.
      const line = Buffer.from(JSON.stringify(msg) + "\n");
      this.#refCalls.submit(id, cmd, () => {
        this.#trace?.("out", msg);
        this.#writer!.write(line);
      });
      return;
    }
    this.#trace?.("out", msg);
    const pieces = fragmentLine(
      JSON.stringify(msg),
      { pid: process.pid, client: this.clientToken },
      String(++this.#fragSeq),
      ATOMIC_WRITE_BYTES,
    );
    this.#writer!.write(pieces);
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
      const id = this.#nextId++;
      const timeoutMs = options.timeoutMs ?? this.#callTimeoutMs;
      const { signal, onEvent } = options;
      let timer: NodeJS.Timeout | undefined;
      const cleanup = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        this.#forget(id);
      };
      const onAbort = (): void => {
        cleanup();
        this.#cancelRemote(id);
        reject(
          new PipeToolError("EABORTED", `call '${cmd}' was aborted`, { cause: signal?.reason }),
        );
      };
      if (signal?.aborted === true) {
        reject(
          new PipeToolError("EABORTED", `call '${cmd}' was aborted`, { cause: signal.reason }),
        );
        return;
      }
      this.#pending.set(id, {
        onMessage: (msg) => {
          clearTimeout(timer); // the timeout covers only the wait for the first message
          if (!isTerminal(msg)) {
            onEvent?.(msg);
            return;
          }
          cleanup();
          if (msg.event === "error") reject(new RemoteError(msg));
          else resolve(msg);
        },
        fail: (err) => {
          cleanup();
          reject(err);
        },
      });
      try {
        this.#write(cmd, args, id);
      } catch (err) {
        cleanup();
        reject(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      timer = setTimeout(() => {
        cleanup();
        this.#cancelRemote(id);
        reject(
          new PipeToolError(
            "ETIMEDOUT",
            `no reply to '${cmd}' from tool '${this.name}' within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      signal?.addEventListener("abort", onAbort, { once: true });
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
      register: (entry) => this.#pending.set(id, entry),
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
    if (this.#dataWriter === undefined || this.#dataId === undefined) {
      throw new PipeToolError("EINVAL", "no data channel: connect with { data: true }");
    }
    this.#dataWriter.write(encodeUpstreamFrames(this.#dataId, payload, ATOMIC_WRITE_BYTES));
  }

  /** Receives binary frames from the server. Returns a function that removes the listener. */
  onData(fn: (payload: Buffer) => void): () => void {
    this.#events.on("data", fn);
    return () => this.#events.off("data", fn);
  }

  #onFrame(payload: Buffer, more: boolean): void {
    if (more || this.#dataParts.length > 0) {
      this.#dataParts.push(payload);
      if (more) return;
      payload = Buffer.concat(this.#dataParts);
      this.#dataParts = [];
    }
    this.#events.emit("data", payload);
  }

  // ---- receiving ----

  #onLine(line: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      return; // the server never sends this; a foreign writer might
    }
    if (!isRecord(msg) || typeof msg["event"] !== "string") return;
    const event = msg as EventMessage;
    this.#trace?.("in", event);
    const answers = event.id ?? this.#refCalls?.route(event);
    const entry = answers === undefined ? undefined : this.#pending.get(answers);
    if (entry !== undefined) entry.onMessage(event);
    else this.#emit(event);
  }

  #emit(msg: EventMessage): void {
    this.#events.emit(`event:${msg.event}`, msg);
    this.#events.emit("event:*", msg);
  }

  #lost(err?: Error): void {
    if (this.#ended !== undefined) return;
    const detail = err === undefined ? "" : `: ${err.message}`;
    void this.#shutdown(
      new PipeToolError(
        "ESERVERGONE",
        `tool '${this.name}' went away (server stopped, crashed, or dropped this client)${detail}`,
        {
          cause: err,
        },
      ),
    );
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
    for (const entry of [...this.#pending.values()]) entry.fail(this.#ended);
    this.#pending.clear();
    this.#reader?.close();
    this.#dataReader?.close();
    await Promise.all([
      this.#writer?.close({ timeoutMs: 200 }),
      this.#dataWriter?.close({ timeoutMs: 200 }),
    ]);
    await Promise.all(this.#ownPaths().map((p) => removeFifo(p).catch(() => false)));
    forgetPipes(this.#ownPaths());
    if (reason !== undefined) this.#emit({ event: "disconnected", message: reason.message });
    this.#resolveClosed(reason);
  }
}

function asPipeError(err: unknown): PipeToolError {
  return err instanceof PipeToolError
    ? (err as PipeToolError)
    : new PipeToolError("EIO", err instanceof Error ? err.message : String(err), { cause: err });
}
