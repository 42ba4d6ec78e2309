/**
 * How pipe-tool messages ride on NATS messages. A request's payload is the command's arguments
 * as a JSON object; every reply message's payload is one event message as JSON (the same
 * objects as on a pipe, without `id`: the reply subject already ties it to its request).
 * Headers carry what is not a tool message:
 *
 * - `Npt-Gw: <id>` on a request's first reply: which gateway runs it, so the caller can tell
 *   when that host goes away;
 * - `Npt-Ack: 1`: a message with no payload that only says "running" (sent when the tool is
 *   slow to answer), with `Npt-Gw`;
 * - `Npt-Probe: 1`: the gateway asks whether the caller still waits; the caller answers `1`
 *   (yes) or `0` (no longer);
 * - `Nats-Service-Error` / `Nats-Service-Error-Code` on error replies, as the NATS services
 *   protocol has them, so generic NATS tooling sees failures;
 * - `Npt-Batch: <n>`: the payload is a JSON array of n messages of the request, in order (a
 *   burst of stream items, maybe ending with the final message);
 * - `Npt-Fail: <CODE>`: the request failed on the exporting host (see {@link FAIL_HEADER});
 * - `Npt-Sender: <token>` on binary frames sent to a tool: which remote client sent them.
 */
import type { MsgHdrs } from "nats";
import { ServiceErrorCodeHeader, ServiceErrorHeader, headers } from "nats";
import type { ErrorCode, EventMessage } from "named-pipe-tools";
import { isTerminal } from "named-pipe-tools";

/** Header naming the gateway that runs a request. */
export const GATEWAY_HEADER = "Npt-Gw";
/** Header of an acknowledgement (no payload). */
export const ACK_HEADER = "Npt-Ack";
/** Header of a liveness probe sent to a caller. */
export const PROBE_HEADER = "Npt-Probe";
/**
 * Header of a final message that is not a tool reply but a failure on the exporting host (the
 * tool went away, a limit was hit): its value is the error code (`ESERVERGONE`, ...), its
 * payload the message. The caller raises it as a PipeToolError with that code, as a local
 * client would.
 */
export const FAIL_HEADER = "Npt-Fail";
/** Header of a message carrying several stream items as a JSON array (value: how many). */
export const BATCH_HEADER = "Npt-Batch";
/** Header of the first (empty) message on a remote sender's own frames subject. */
export const READY_HEADER = "Npt-Ready";
/** Header naming the remote sender of a binary frame. */
export const SENDER_HEADER = "Npt-Sender";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Encodes a JSON value. */
export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

/** Decodes a JSON payload; an empty payload is `{}`. Throws SyntaxError on bad JSON. */
export function decodeJson(data: Uint8Array): unknown {
  return data.length === 0 ? {} : (JSON.parse(decoder.decode(data)) as unknown);
}

/** Decodes a payload as UTF-8 text. */
export function decodeText(data: Uint8Array): string {
  return decoder.decode(data);
}

/** The services-protocol status of an error event: 400 for the caller's mistakes, else 500. */
function serviceStatus(code: unknown): string {
  return code === "bad_args" || code === "bad_request" || code === "unknown_command"
    ? "400"
    : "500";
}

/**
 * Headers of one reply message: `Npt-Gw` on the first, the services error headers on a final
 * error. Undefined when none is needed (the common case: no header block at all).
 */
export function replyHeaders(
  msg: EventMessage,
  gatewayId: string | undefined,
): MsgHdrs | undefined {
  const error = msg.event === "error" && isTerminal(msg);
  if (gatewayId === undefined && !error) return undefined;
  const h = headers();
  if (gatewayId !== undefined) h.set(GATEWAY_HEADER, gatewayId);
  if (error) {
    h.set(ServiceErrorHeader, typeof msg["message"] === "string" ? msg["message"] : "error");
    h.set(ServiceErrorCodeHeader, serviceStatus(msg["code"]));
  }
  return h;
}

/** Headers with one field set. */
export function oneHeader(key: string, value: string): MsgHdrs {
  const h = headers();
  h.set(key, value);
  return h;
}

const FAIL_CODES: ReadonlySet<string> = new Set([
  "ESERVERGONE",
  "ETIMEDOUT",
  "ETOOBIG",
  "EABORTED",
  "EIO",
  "EPROTO",
]);

/** The error code a `Npt-Fail` header names (`EIO` for anything unexpected). */
export function failCode(value: string): ErrorCode {
  return (FAIL_CODES.has(value) ? value : "EIO") as ErrorCode;
}
