/**
 * One local tool exported on NATS: a NATS service (name = the tool's subject token; metadata =
 * the tool's name, description and interface) with one endpoint per exported command, in the
 * gateway's queue group so that hosts exporting the same tool share its load. Requests run
 * through one local ToolClient; each message the tool sends becomes one NATS message on the
 * caller's reply subject, as it arrives (a slow remote caller never holds the tool up: the
 * gateway reads the tool's pipe at its own pace, and NATS drops a consumer that falls too far
 * behind). Broadcasts go to `<p>.events.<tool>.<event>`, binary frames to `<p>.frames.<tool>`.
 */
import type { Msg, NatsConnection, Service, Subscription } from "nats";
import type { EventMessage, ToolClient } from "named-pipe-tools";
import { PipeToolError, RemoteError, isRecord, isTerminal } from "named-pipe-tools";
import { ToolSubjects, isEndpointName } from "../subjects.js";
import { decodeJson, decodeText, encodeJson } from "../wire.js";
import type { ToolDescription } from "./describe.js";
import { exportedCommands } from "./describe.js";
import { DataSenders } from "./data-senders.js";
import { InFlight } from "./in-flight.js";
import { ReplyWriter } from "./reply-writer.js";

/** The version the services API reports (the package's). */
export const SERVICE_VERSION = "0.2.0";

/** What an exported tool needs from its gateway. */
export interface ExportContext {
  nc: NatsConnection;
  prefix: string;
  queue: string;
  gatewayId: string;
  dir: string;
  log: (line: string) => void;
  /** How often callers of long requests are probed, in ms. */
  probeIntervalMs: number;
  /** A request with no reply yet gets an acknowledgement after this long, in ms. */
  ackAfterMs: number;
}

function withoutId(msg: EventMessage): EventMessage {
  if (msg.id === undefined) return msg;
  const { id: _id, ...rest } = msg;
  return rest;
}

/** One exported tool. */
export class ExportedTool {
  /** The tool's name. */
  readonly name: string;
  /** Its subjects. */
  readonly subjects: ToolSubjects;
  /** The commands exported as endpoints. */
  readonly commands: readonly string[];
  readonly #ctx: ExportContext;
  readonly #client: ToolClient;
  readonly #service: Service;
  readonly #inFlight: InFlight;
  readonly #subs: Subscription[] = [];
  readonly #senders: DataSenders;
  #stopped = false;

  private constructor(
    name: string,
    token: string,
    client: ToolClient,
    service: Service,
    ctx: ExportContext,
    commands: string[],
  ) {
    this.name = name;
    this.subjects = new ToolSubjects(ctx.prefix, token);
    this.commands = commands;
    this.#ctx = ctx;
    this.#client = client;
    this.#service = service;
    this.#inFlight = new InFlight(ctx.nc, ctx.probeIntervalMs);
    this.#senders = new DataSenders(ctx.nc, name, this.subjects.frames, ctx.dir, ctx.log);
  }

  /**
   * Exports `client`'s tool (described by `desc`) under subject token `token`. The tool stays
   * exported until {@link stop}, or until its local server goes away.
   */
  static async start(
    client: ToolClient,
    token: string,
    desc: ToolDescription,
    ctx: ExportContext,
  ): Promise<ExportedTool> {
    const commands = exportedCommands(desc.iface).filter((c) => {
      if (isEndpointName(c)) return true;
      ctx.log(`${client.name}: command '${c}' is not a valid NATS subject token; not exported`);
      return false;
    });
    const metadata: Record<string, string> = {
      tool: client.name,
      protocol: "1",
      gateway: ctx.gatewayId,
    };
    if (desc.iface !== undefined) metadata["interface"] = JSON.stringify(desc.iface);
    const service = await ctx.nc.services.add({
      name: token,
      version: SERVICE_VERSION,
      description: desc.description,
      metadata,
      queue: ctx.queue,
    });
    const tool = new ExportedTool(client.name, token, client, service, ctx, commands);
    tool.#wire(desc);
    // Once the server has the subscriptions (a round trip after them), the tool is reachable:
    // a caller that learns it is exported must not meet "no responders".
    try {
      await ctx.nc.flush();
    } catch (err) {
      await tool.stop();
      throw err;
    }
    return tool;
  }

  #wire(desc: ToolDescription): void {
    const { nc } = this.#ctx;
    const group = this.#service.addGroup(this.subjects.call);
    const specs = new Map((desc.iface?.commands ?? []).map((c) => [c.name.toLowerCase(), c]));
    for (const cmd of this.commands) {
      const spec = specs.get(cmd);
      const metadata: Record<string, string> = { stream: spec?.stream === true ? "true" : "false" };
      if (spec !== undefined && spec.description !== "") metadata["description"] = spec.description;
      group.addEndpoint(cmd, {
        metadata,
        handler: (err, msg) => {
          if (err === null) void this.#onRequest(cmd, msg);
        },
      });
    }
    this.#subs.push(
      nc.subscribe(this.subjects.cancel, {
        callback: (_e, m) => this.#inFlight.cancel(decodeText(m.data)),
      }),
      nc.subscribe(`${this.subjects.data}.${this.#ctx.gatewayId}`, {
        callback: (_e, m) => this.#senders.push(m),
      }),
    );
    this.#client.on("*", (msg) => {
      if (msg.event === "disconnected" || this.#stopped) return; // made up by the client itself
      // Broadcasts never carry an id; a message with one is a late reply to a request this
      // gateway already gave up (cancelled). The tool's answer to the gateway's own `cancel`
      // carries none, but is not an event of the tool's either.
      if (msg.id !== undefined) return;
      if (msg.event === "cancelled" && typeof msg["cancelled"] === "number") return;
      nc.publish(this.subjects.event(msg.event), encodeJson(withoutId(msg)));
    });
    this.#client.onData((payload) => {
      if (!this.#stopped) nc.publish(this.subjects.frames, payload);
    });
  }

  /** Resolves when the local tool goes away (its server stopped or crashed). */
  get gone(): Promise<unknown> {
    return this.#client.closed;
  }

  /** Requests running now. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  async #onRequest(cmd: string, m: Msg): Promise<void> {
    let args: unknown;
    try {
      args = decodeJson(m.data);
    } catch {
      args = undefined;
    }
    const via = this.#senders.clientFor(m.headers) ?? this.#client;
    if (m.reply === undefined || m.reply === "") {
      if (isRecord(args)) via.send(cmd, args); // fire and forget (cpipe -n)
      return;
    }
    if (!isRecord(args)) {
      const bad = {
        event: "error",
        message: "arguments must be a JSON object",
        code: "bad_request",
      };
      new ReplyWriter(this.#ctx.nc, m.reply, this.#ctx.gatewayId).final(bad);
      return;
    }
    const signal = this.#inFlight.add(m.reply);
    const out = new ReplyWriter(this.#ctx.nc, m.reply, this.#ctx.gatewayId);
    const ack = setTimeout(() => out.ack(), this.#ctx.ackAfterMs);
    try {
      // No local timeout: the caller times out and cancels, or is found gone by the probes.
      for await (const msg of via.stream(cmd, args, { signal, timeoutMs: 2_147_483_647 })) {
        if (isTerminal(msg)) out.final(msg);
        else out.item(msg);
      }
    } catch (err) {
      if (err instanceof RemoteError) out.final(err.reply as EventMessage);
      else this.#fail(out, err);
    } finally {
      clearTimeout(ack);
      this.#inFlight.delete(m.reply);
    }
  }

  #fail(out: ReplyWriter, err: unknown): void {
    if (err instanceof PipeToolError && err.code === "EABORTED") {
      // Cancelled by its caller (who may be gone) or by this gateway stopping: end it as a
      // local cancel ends, with an error reply coded `cancelled`.
      const why = err.cause instanceof Error ? err.cause.message : "cancelled";
      out.final({ event: "error", message: why, code: "cancelled" });
      return;
    }
    const code: string = err instanceof PipeToolError ? (err as PipeToolError).code : "EIO";
    out.fail(
      code,
      code === "ESERVERGONE"
        ? `tool '${this.name}' went away on the exporting host during the request`
        : `the exporting host failed the request: ${(err as Error).message}`,
    );
  }

  /**
   * Withdraws the tool from NATS: the service stops (its endpoints leave the queue group),
   * requests in flight are cancelled (their callers get a `cancelled` error), the local
   * clients close. Idempotent.
   */
  async stop(why = "the exporting gateway is stopping"): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const sub of this.#subs) sub.unsubscribe();
    await this.#service.stop().catch(() => undefined);
    this.#inFlight.cancelAll(why);
    await this.#senders.closeAll();
    await this.#client.close();
  }
}
