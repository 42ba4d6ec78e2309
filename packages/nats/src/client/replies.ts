/**
 * What arrives on a NatsToolClient's inbox, routed to the call it answers: probes from gateways
 * ("still waiting?"), NATS's "no responders", acknowledgements, failures of the exporting host,
 * and the tool's messages (one per NATS message, or a burst as a JSON array).
 */
import type { Msg, NatsConnection } from "nats";
import type { EventMessage } from "named-pipe-tools";
import { PipeToolError } from "named-pipe-tools";
import type { ToolSubjects } from "../subjects.js";
import {
  ACK_HEADER,
  BATCH_HEADER,
  FAIL_HEADER,
  GATEWAY_HEADER,
  PROBE_HEADER,
  decodeJson,
  decodeText,
  encodeJson,
  failCode,
} from "../wire.js";
import type { PendingCalls } from "./pending.js";

/** What routing replies needs from the client. */
export interface ReplyContext {
  nc: NatsConnection;
  /** The client's inbox prefix (replies come on `<inbox>.<id>`). */
  inbox: string;
  pending: PendingCalls;
  subjects: ToolSubjects;
  /** The address, for messages. */
  url: string;
  /** A call now has a gateway to watch. */
  wake(): void;
  trace:
    ((direction: "in" | "out", message: Readonly<Record<string, unknown>>) => void) | undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Routes one message of the inbox. */
export function routeReply(m: Msg, ctx: ReplyContext): void {
  const id = m.subject.slice(ctx.inbox.length + 1);
  const entry = ctx.pending.get(id);
  const h = m.headers;
  if (h?.has(PROBE_HEADER) === true) {
    m.respond(new TextEncoder().encode(entry === undefined ? "0" : "1"));
    return;
  }
  if (entry === undefined) return;
  if (h?.code === 503) {
    ctx.pending.delete(id);
    void noResponders(ctx, entry.cmd).then((reply) =>
      reply instanceof PipeToolError ? entry.fail(reply) : entry.onMessage(reply),
    );
    return;
  }
  const gateway = h?.get(GATEWAY_HEADER);
  if (gateway !== undefined && gateway !== "") {
    entry.gateway = gateway;
    ctx.wake();
  }
  if (h?.has(ACK_HEADER) === true) return;
  const failed = h?.get(FAIL_HEADER);
  if (failed !== undefined && failed !== "") {
    ctx.pending.delete(id);
    entry.fail(new PipeToolError(failCode(failed), decodeText(m.data)));
    return;
  }
  let body: unknown;
  try {
    body = decodeJson(m.data);
  } catch {
    body = undefined;
  }
  // A burst of stream items comes as one array (`Npt-Batch`), in order.
  const batch = h?.has(BATCH_HEADER) === true && Array.isArray(body) ? (body as unknown[]) : [body];
  for (const msg of batch) {
    if (ctx.pending.get(id) !== entry) return; // ended (final, failure or cancel)
    if (!isRecord(msg) || typeof msg["event"] !== "string") {
      ctx.pending.delete(id);
      entry.fail(
        new PipeToolError("EPROTO", `a reply to '${entry.cmd}' over NATS is not an event`),
      );
      return;
    }
    ctx.trace?.("in", msg);
    entry.onMessage(msg as EventMessage);
  }
}

/**
 * A 503: nothing listens on the command's subject. A `ping` of the tool tells "no such command"
 * (an `unknown_command` error reply, as a local tool gives) from "no such tool" (`ENOSERVER`).
 */
async function noResponders(ctx: ReplyContext, cmd: string): Promise<EventMessage | PipeToolError> {
  let toolThere = false;
  if (cmd.toLowerCase() !== "ping") {
    toolThere = await ctx.nc
      .request(ctx.subjects.command("ping"), encodeJson({}), { timeout: 2000 })
      .then(
        () => true,
        () => false,
      );
  }
  if (toolThere) {
    return {
      event: "error",
      message: `unknown command '${cmd}' (or not exported over NATS)`,
      code: "unknown_command",
    };
  }
  return new PipeToolError(
    "ENOSERVER",
    `no host exports tool '${ctx.subjects.token}' on NATS at ${ctx.url} (is 'cpipe --export' running there?)`,
  );
}
