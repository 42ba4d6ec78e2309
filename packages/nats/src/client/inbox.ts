/**
 * What arrives on a NATS transport's inbox (`<inbox>.<request>`), handed to the session as the
 * messages of that request: the tool's messages (one per NATS message, or a burst as a JSON
 * array), each given back the request's id; NATS's "no responders"; acknowledgements and
 * failures of the exporting host; and gateways' "still waiting?" probes, answered here. Once a
 * request is cancelled, only its final error reply goes on, as a failure (see Route.cancelled).
 */
import type { Msg, NatsConnection } from "nats";
import type { EventMessage, RequestId, TransportListener } from "named-pipe-tools";
import { PipeToolError, RemoteError, isRecord, isTerminal } from "named-pipe-tools";
import type { ToolSubjects } from "../subjects.js";
import {
  ACK_HEADER,
  BATCH_HEADER,
  FAIL_HEADER,
  GATEWAY_HEADER,
  PROBE_HEADER,
  decodeJson,
  decodeText,
  failCode,
} from "../wire.js";
import { pingTool } from "./ping.js";
import type { Routes } from "./routes.js";

/** What reading the inbox needs from its transport. */
export interface InboxContext {
  nc: NatsConnection;
  /** The inbox prefix (replies come on `<inbox>.<key>`). */
  inbox: string;
  routes: Routes;
  subjects: ToolSubjects;
  /** The address, for messages. */
  url: string;
  listener: TransportListener;
  /** A request now has a gateway to watch. */
  wake(): void;
}

/** `msg` as a local server sends it: `event`, then the request's `id`, then its fields. */
export function withId(msg: Record<string, unknown>, id: RequestId): EventMessage {
  const out: Record<string, unknown> = { event: msg["event"], id };
  for (const key in msg) if (key !== "event" && key !== "id") out[key] = msg[key];
  return out as EventMessage;
}

/** The error of a tool that no host exports. */
export function noHost(subjects: ToolSubjects, url: string): PipeToolError {
  return new PipeToolError(
    "ENOSERVER",
    `no host exports tool '${subjects.token}' on NATS at ${url} (is 'cpipe --export' running there?)`,
  );
}

/** Hands one message of the inbox to the session. */
export function onInboxMessage(m: Msg, ctx: InboxContext): void {
  const key = m.subject.slice(ctx.inbox.length + 1);
  const route = ctx.routes.get(key);
  const h = m.headers;
  if (h?.has(PROBE_HEADER) === true) {
    m.respond(new TextEncoder().encode(route === undefined || route.cancelled ? "0" : "1"));
    return;
  }
  if (route === undefined) return; // it ended (final reply, failure or cancel)
  const { listener } = ctx;
  if (h?.code === 503) {
    ctx.routes.delete(key);
    if (route.cancelled) return;
    void noResponders(ctx, route.cmd).then((reply) =>
      reply instanceof PipeToolError
        ? listener.fail(route.id, reply)
        : listener.message(withId(reply, route.id)),
    );
    return;
  }
  const gateway = h?.get(GATEWAY_HEADER);
  if (gateway !== undefined && gateway !== "") {
    route.gateway = gateway;
    ctx.wake();
  }
  if (h?.has(ACK_HEADER) === true) return;
  const failed = h?.get(FAIL_HEADER);
  if (failed !== undefined && failed !== "") {
    ctx.routes.delete(key);
    listener.fail(route.id, new PipeToolError(failCode(failed), decodeText(m.data)));
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
    // Ended meanwhile: by its final message, or the session cancelled it while taking one.
    if (ctx.routes.get(key) !== route) return;
    if (!isRecord(msg) || typeof msg["event"] !== "string") {
      ctx.routes.delete(key);
      listener.fail(
        route.id,
        new PipeToolError("EPROTO", `a reply to '${route.cmd}' over NATS is not an event`),
      );
      return;
    }
    const terminal = isTerminal(msg as EventMessage);
    if (terminal) ctx.routes.delete(key);
    if (!route.cancelled) listener.message(withId(msg, route.id));
    else if (terminal && msg["event"] === "error") {
      // Its end (`cancelled`, mostly), for a caller that still waits (one that sent `cancel`).
      listener.fail(route.id, new RemoteError(withId(msg, route.id)));
    }
  }
}

/**
 * A 503: nothing listens on the command's subject. A `ping` of the tool tells "no such command"
 * (an `unknown_command` error reply, as a local tool gives) from "no such tool" (`ENOSERVER`).
 */
async function noResponders(
  ctx: InboxContext,
  cmd: string,
): Promise<Record<string, unknown> | PipeToolError> {
  const answer =
    cmd.toLowerCase() === "ping"
      ? "none"
      : await pingTool(ctx.nc, ctx.subjects, 2000).catch(() => "timeout" as const);
  return typeof answer === "object" ? unknownCommand(cmd) : noHost(ctx.subjects, ctx.url);
}

/** The error reply of a command the tool's hosts do not export. */
export function unknownCommand(cmd: string): Record<string, unknown> {
  return {
    event: "error",
    message: `unknown command '${cmd}' (or not exported over NATS)`,
    code: "unknown_command",
  };
}
