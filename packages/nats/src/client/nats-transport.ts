/**
 * NatsTransport: the core's ClientTransport over NATS, for a tool that gateways export
 * (`cpipe --export`). The session (ids, pending calls, timeouts, streams, events) is the core's
 * ToolClient; this only carries messages:
 * - a request with an `id` is a NATS request on `<p>.call.<tool>.<cmd>` with reply subject
 *   `<inbox>.<id>`; every reply and stream item coming back there is handed to the session with
 *   that id (inbox.ts); one without an `id` is published with no reply subject;
 * - `cancel {target}` is published on `<p>.cancel.<tool>`;
 * - `subscribe` / `unsubscribe` are answered here (NATS needs no subscription with the tool):
 *   they start and stop listening on `<p>.events.<tool>.>`, whose messages are broadcasts;
 * - binary frames go to `<p>.data.<tool>.<gateway>` and come from `<p>.frames.<tool>[.<me>]`.
 * A request whose gateway dies, or that no gateway takes up, fails (liveness.ts); a dropped NATS
 * connection fails the requests in flight and reconnects; a closed one ends the session.
 */
import { randomBytes } from "node:crypto";
import type { Msg, MsgHdrs, NatsConnection, Subscription } from "nats";
import { createInbox } from "nats";
import type { ClientTransport, RequestId, TransportListener } from "named-pipe-tools";
import { PROTOCOL_VERSION, PipeToolError, isRecord } from "named-pipe-tools";
import { closeNats, openNats } from "../auth.js";
import {
  DEFAULT_PREFIX,
  ToolSubjects,
  checkPrefix,
  isEndpointName,
  toolToken,
} from "../subjects.js";
import type { NatsAddress } from "../url.js";
import { parseNatsUrl, redact } from "../url.js";
import { SENDER_HEADER, decodeJson, encodeJson, oneHeader } from "../wire.js";
import { noHost, onInboxMessage, unknownCommand, withId } from "./inbox.js";
import { GatewayWatch } from "./liveness.js";
import { pingTool } from "./ping.js";
import type { NatsTransportOptions } from "./options.js";
import { Routes } from "./routes.js";
import { followFrames } from "./frames.js";

/** A ClientTransport to one tool exported on NATS. */
export class NatsTransport implements ClientTransport {
  /** The tool's name. */
  readonly name: string;
  /** The address (credentials redacted). */
  readonly url: string;
  /** This client's token: names it as a sender of binary frames. */
  readonly clientToken: string;
  readonly #address: NatsAddress;
  readonly #opts: NatsTransportOptions;
  readonly #prefix: string;
  readonly #subjects: ToolSubjects;
  readonly #routes: Routes;
  readonly #timeoutMs: number;
  #nc: NatsConnection | undefined;
  #listener: TransportListener | undefined;
  #inbox = "";
  readonly #subs: Subscription[] = [];
  #events: Subscription | undefined;
  #watch: GatewayWatch | undefined;
  #withData = false;
  #dataGateway: string | undefined;
  #closed = false;

  /**
   * @throws PipeToolError `EUSAGE` for an address that is not `nats://HOST:PORT/NAME` (or
   *   `tls://`), `EBADNAME`, `EINVAL` for a bad prefix; TypeError for a bad option
   */
  constructor(url: string, options: NatsTransportOptions = {}) {
    if (typeof options !== "object" || options === null)
      throw new TypeError("NATS transport options must be an object");
    this.#address = parseNatsUrl(url, "required");
    this.name = this.#address.tool!;
    this.url = redact(url);
    this.clientToken = `n${randomBytes(6).toString("hex")}`;
    this.#opts = options;
    this.#timeoutMs = options.timeoutMs ?? 5000;
    if (!(this.#timeoutMs > 0))
      throw new TypeError(`timeoutMs must be a positive number, got ${String(this.#timeoutMs)}`);
    this.#prefix = checkPrefix(options.prefix ?? DEFAULT_PREFIX);
    this.#subjects = new ToolSubjects(this.#prefix, toolToken(this.name));
    this.#routes = new Routes(this.name);
  }

  get hasData(): boolean {
    return this.#withData;
  }

  /**
   * Opens NATS (unless given a connection) and pings the tool.
   * @throws PipeToolError `ENOSERVER` when no NATS server answers or no host exports the tool,
   *   `ETIMEDOUT`, `EABORTED`, `EIO` (authentication, TLS)
   */
  async start(listener: TransportListener): Promise<void> {
    this.#listener = listener;
    const { signal } = this.#opts;
    checkAborted(signal);
    const nc =
      this.#opts.connection ??
      (await openNats(this.#address, {
        ...this.#opts,
        name: this.#opts.name ?? `cpipe client of ${this.name}`,
        timeoutMs: this.#timeoutMs,
      }));
    this.#nc = nc;
    if (signal?.aborted === true) {
      await this.close();
      checkAborted(signal);
    }
    this.#listen(nc, listener);
    const gateway = await raceAbort(this.#ping(nc, this.#timeoutMs), signal);
    if (this.#opts.data === true) {
      this.#withData = true;
      this.#dataGateway = gateway;
    }
  }

  /** Subscribes to this client's inbox (and frames), and follows the connection's state. */
  #listen(nc: NatsConnection, listener: TransportListener): void {
    this.#inbox = createInbox(this.#opts.inboxPrefix);
    const inbox = {
      nc,
      inbox: this.#inbox,
      routes: this.#routes,
      subjects: this.#subjects,
      url: this.url,
      listener,
      wake: () => this.#watch?.wake(),
    };
    this.#subs.push(
      nc.subscribe(`${this.#inbox}.*`, { callback: (_e, m) => onInboxMessage(m, inbox) }),
    );
    this.#watch = new GatewayWatch({
      nc,
      prefix: this.#prefix,
      intervalMs: this.#opts.checkIntervalMs ?? 1000,
      active: () => this.#routes.gateways(),
      onGone: (id) => this.#gatewayGone(id),
      sweep: () => this.#routes.sweepUntaken(this.#opts.takeUpTimeoutMs ?? 3000, this.#fail),
    });
    if (this.#opts.data === true) {
      this.#subs.push(
        ...followFrames(nc, this.#subjects.frames, this.clientToken, (p) => listener.data(p)),
      );
    }
    void this.#followStatus(nc);
    void nc.closed().then((err) => {
      if (this.#closed) return;
      const detail = err instanceof Error ? `: ${err.message}` : "";
      listener.lost(
        new PipeToolError("ESERVERGONE", `the NATS connection closed${detail}`, { cause: err }),
      );
    });
  }

  /** Pings the tool; resolves with the gateway that answered. */
  #ping(nc: NatsConnection, timeoutMs: number): Promise<string | undefined> {
    return pingTool(nc, this.#subjects, timeoutMs).then((answer) => {
      if (answer === "none") throw noHost(this.#subjects, this.url);
      if (answer === "timeout") {
        throw new PipeToolError(
          "ETIMEDOUT",
          `no host exporting tool '${this.name}' on NATS at ${this.url} answered a ping within ${timeoutMs} ms`,
        );
      }
      return answer.gateway;
    });
  }

  async #followStatus(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (String(status.type) !== "disconnect") continue;
      // Replies of requests in flight may be lost with the connection: fail them now, clearly.
      // New requests wait for the reconnect (the NATS client buffers them) and work after it.
      const where = typeof status.data === "string" ? status.data : "server";
      this.#routes.failAll(
        () =>
          new PipeToolError(
            "ESERVERGONE",
            `lost the connection to NATS (${where}) during the call; it may or may not have run on '${this.name}'`,
          ),
        this.#fail,
      );
    }
  }

  readonly #fail = (id: RequestId, err: PipeToolError): void => this.#listener?.fail(id, err);

  // ---- sending ----

  #connection(): NatsConnection {
    if (this.#nc === undefined || this.#closed || this.#nc.isClosed()) {
      throw new PipeToolError(
        "ECLOSED",
        `the NATS connection of remote tool '${this.name}' is closed`,
      );
    }
    return this.#nc;
  }

  send(msg: Record<string, unknown>): void {
    const nc = this.#connection();
    const { id, cmd, ...args } = msg as { id?: RequestId; cmd?: unknown } & Record<string, unknown>;
    if (typeof cmd !== "string") throw new PipeToolError("EINVAL", "a request needs a 'cmd'");
    const lower = cmd.toLowerCase();
    if (lower === "subscribe") return this.#subscribe(nc, id);
    if (lower === "unsubscribe") return this.#unsubscribe(id);
    if (lower === "cancel") return this.#cancel(nc, args["target"] as RequestId | undefined, id);
    if (!isEndpointName(lower)) {
      // No subject can name it, so no gateway exports it: the answer a local tool would give.
      if (id !== undefined) this.#answer(id, unknownCommand(cmd));
      return;
    }
    const payload = encodeJson(args);
    this.#checkSize(nc, payload.length, `the arguments of '${cmd}'`);
    // A client with a data channel names itself, so its requests run through the same local
    // client as its frames on the tool's host (per-client settings apply to both).
    const headers = this.#withData ? oneHeader(SENDER_HEADER, this.clientToken) : undefined;
    const subject = this.#subjects.command(lower);
    if (id === undefined) {
      publish(nc, subject, payload, { headers });
      return;
    }
    const key = this.#routes.add(id, cmd);
    try {
      publish(nc, subject, payload, { reply: `${this.#inbox}.${key}`, headers });
    } catch (err) {
      this.#routes.delete(key);
      throw err;
    }
    this.#watch?.wake();
  }

  /** Refuses at once what the NATS server would refuse (it would close the connection). */
  #checkSize(nc: NatsConnection, bytes: number, what: string): void {
    const max = nc.info?.max_payload;
    if (max !== undefined && bytes > max) {
      throw new PipeToolError(
        "ETOOBIG",
        `${what}: ${bytes} bytes, over the NATS server's max_payload (${max} bytes)`,
      );
    }
  }

  /** Hands a local answer to the session, after this turn (as a remote one would come). */
  #answer(id: RequestId, msg: Record<string, unknown>): void {
    queueMicrotask(() => this.#listener?.message(withId(msg, id)));
  }

  #subscribe(nc: NatsConnection, id: RequestId | undefined): void {
    this.#events ??= nc.subscribe(`${this.#subjects.events}.>`, {
      callback: (_e, m) => this.#onEvent(m),
    });
    // Once the server has the subscription, no broadcast sent after `subscribed` is missed.
    nc.flush().then(
      () => {
        if (id !== undefined)
          this.#answer(id, {
            event: "subscribed",
            protocol: PROTOCOL_VERSION,
            data: this.#withData,
          });
      },
      (err: unknown) => {
        if (id !== undefined) this.#fail(id, gone(`subscribing to the tool's events`, err));
      },
    );
  }

  #unsubscribe(id: RequestId | undefined): void {
    this.#events?.unsubscribe();
    this.#events = undefined;
    if (id !== undefined) this.#answer(id, { event: "ok" });
  }

  /** Cancels request `target` (every request when undefined) on the tool's machine. */
  #cancel(nc: NatsConnection, target: RequestId | undefined, id: RequestId | undefined): void {
    const keys = target === undefined ? this.#routes.keys() : [String(target)];
    let cancelled = 0;
    for (const key of keys) {
      // Only what is still on its way: a request that ended needs no cancel.
      const route = this.#routes.get(key);
      if (route === undefined || route.cancelled) continue;
      route.cancelled = true;
      cancelled++;
      publish(nc, this.#subjects.cancel, new TextEncoder().encode(`${this.#inbox}.${key}`), {});
    }
    if (id !== undefined) this.#answer(id, { event: "cancelled", cancelled });
  }

  #onEvent(m: Msg): void {
    let msg: unknown;
    try {
      msg = decodeJson(m.data);
    } catch {
      return;
    }
    if (isRecord(msg) && typeof msg["event"] === "string") this.#listener?.message(msg);
  }

  /**
   * Sends a binary frame, as raw bytes in one NATS message, to the host that answered this
   * client's `ping`.
   */
  sendData(payload: Uint8Array): void {
    const nc = this.#connection();
    if (!this.#withData) {
      throw new PipeToolError("EINVAL", "no data channel: connect with { data: true }");
    }
    if (this.#dataGateway === undefined) {
      throw new PipeToolError("ENOSERVER", `the host that took this client's data is gone`);
    }
    this.#checkSize(nc, payload.length, "a binary frame");
    publish(nc, `${this.#subjects.data}.${this.#dataGateway}`, payload, {
      headers: oneHeader(SENDER_HEADER, this.clientToken),
    });
  }

  subscribeFields(): Record<string, unknown> {
    return {};
  }

  async subscribed(): Promise<void> {}

  // ---- hosts going away ----

  #gatewayGone(gateway: string): void {
    this.#routes.failGateway(gateway, this.#fail);
    if (this.#dataGateway !== gateway || this.#nc === undefined) return;
    this.#dataGateway = undefined;
    // Frames go on to another host exporting the tool, if there is one.
    void this.#ping(this.#nc, this.#timeoutMs).then(
      (id) => (this.#dataGateway = id),
      () => undefined,
    );
  }

  // ---- closing ----

  /** Stops listening and leaves NATS (when it opened the connection). Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#watch?.stop();
    this.#routes.clear();
    const nc = this.#nc;
    if (nc === undefined) return;
    if (!nc.isClosed()) {
      for (const sub of [...this.#subs, ...(this.#events === undefined ? [] : [this.#events])])
        sub.unsubscribe();
    }
    if (this.#opts.connection === undefined) await closeNats(nc);
  }
}

/** Publishes, turning a closed connection into `ESERVERGONE`. */
function publish(
  nc: NatsConnection,
  subject: string,
  payload: Uint8Array,
  options: { reply?: string; headers?: MsgHdrs | undefined },
): void {
  try {
    nc.publish(subject, payload, {
      ...(options.reply === undefined ? {} : { reply: options.reply }),
      ...(options.headers === undefined ? {} : { headers: options.headers }),
    });
  } catch (err) {
    throw gone("sending", err);
  }
}

function gone(what: string, err: unknown): PipeToolError {
  return new PipeToolError(
    "ESERVERGONE",
    `the NATS connection failed while ${what}: ${(err as Error).message}`,
    { cause: err },
  );
}

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) {
    throw new PipeToolError("EABORTED", "connecting was aborted", { cause: signal.reason });
  }
}

/** `promise`, or `EABORTED` as soon as `signal` aborts. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void =>
      reject(new PipeToolError("EABORTED", "connecting was aborted", { cause: signal.reason }));
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
