/**
 * Wire message shapes and helpers shared by the server and the client. See PROTOCOL.md.
 */

/**
 * Protocol revision this library speaks (sent in `subscribed` replies). Revision 2 adds the
 * private upstream pipes (see PROTOCOL.md); a revision-1 peer never sees them.
 */
export const PROTOCOL_VERSION = 2;

/** A request id: ours echo it on every reply to that request. */
export type RequestId = string | number;

/** A request as it arrives on the upstream pipe. */
export interface RequestMessage {
  /** Sender's process id (required to get replies). */
  pid?: number;
  /** Our addition: the sender's client token, when several clients share a process. */
  client?: string;
  /** Our addition: correlation id, echoed on every reply to this request. */
  id?: RequestId;
  /** Command name (matched case-insensitively). */
  cmd: string;
  [field: string]: unknown;
}

/** A message from the server: a reply, a stream item or a broadcast. */
export interface EventMessage {
  event: string;
  id?: RequestId;
  /** `false` on stream items; `true` on the final item of a token stream. */
  done?: boolean;
  [field: string]: unknown;
}

/** Fields of a request that are addressing, not command arguments. */
export const REQUEST_META_FIELDS: ReadonlySet<string> = new Set([
  "pid",
  "client",
  "id",
  "cmd",
  "data_id",
]);

/** Error codes carried in the `code` field of our error events (an addition to the reference). */
export const WireErrorCode = {
  /** No handler for that command. */
  UnknownCommand: "unknown_command",
  /** The request itself is malformed (not JSON, not an object, bad `cmd`/`pid`/`id`). */
  BadRequest: "bad_request",
  /** The arguments failed the command's schema. */
  BadArgs: "bad_args",
  /** The handler threw or rejected. */
  HandlerError: "handler_error",
  /** The request was cancelled (by `cancel`, by the client leaving, or by the server stopping). */
  Cancelled: "cancelled",
  /** A message or frame exceeded a size limit. */
  TooBig: "too_big",
  /** The request was refused (for example a subscribe for another user's process). */
  Refused: "refused",
} as const;

/** One of {@link WireErrorCode}'s values. */
export type WireErrorCode = (typeof WireErrorCode)[keyof typeof WireErrorCode];

/**
 * Copies `source`'s own enumerable fields onto `target`, except those in `skip`, as data
 * properties: a `"__proto__"` key from the wire stays an ordinary field and never becomes the
 * target's prototype (plain assignment would make it one).
 */
export function copyFields(
  target: Record<string, unknown>,
  source: Readonly<Record<string, unknown>>,
  skip?: ReadonlySet<string>,
): void {
  for (const key of Object.keys(source)) {
    if (skip?.has(key) === true) continue;
    if (key === "__proto__") {
      Object.defineProperty(target, key, {
        value: source[key],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else target[key] = source[key];
  }
}

const HEAD_ID_RE = /"id"\s*:\s*(-?\d{1,16}(?:\.\d+)?|"(?:[^"\\]|\\.){0,128}")/;

/**
 * The request id near the start of a message that cannot be parsed whole (too big, torn): our
 * clients and servers write `id` among the first fields, so the error that answers it can carry
 * it. Undefined when none is found.
 */
export function idFromHead(head: string): RequestId | undefined {
  const raw = HEAD_ID_RE.exec(head)?.[1];
  if (raw === undefined) return undefined;
  try {
    const id: unknown = JSON.parse(raw);
    return isRequestId(id) ? id : undefined;
  } catch {
    return undefined;
  }
}

/** True for a plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** True when a message ends the request it answers (anything but a `done:false` stream item). */
export function isTerminal(msg: EventMessage): boolean {
  return msg.done !== false;
}

/** Checks a request id: a finite number or a string of at most 128 characters. */
export function isRequestId(value: unknown): value is RequestId {
  return (
    (typeof value === "number" && Number.isFinite(value)) ||
    (typeof value === "string" && value.length <= 128)
  );
}
