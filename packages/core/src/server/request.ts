/**
 * Running one request: validating its arguments, calling the handler, and turning what the
 * handler returns, yields or throws into exactly one final reply (plus stream items).
 */
import { setImmediate as yieldToLoop } from "node:timers/promises";
import { RAISE_SERVER_MESSAGES, tooBig } from "../protocol/limits.js";
import type { EventMessage, RequestId } from "../protocol/messages.js";
import { WireErrorCode, copyFields, isRecord, isRequestId } from "../protocol/messages.js";
import type { CompiledCommand } from "../schema/command.js";
import { errorFields, ours } from "./error-reply.js";
import type { Handler, RequestContext, Sender } from "./types.js";

/** Where a request's messages go. */
export interface Outbox {
  /**
   * Sends a message to the sender (or broadcasts it when the sender has no pid). Returns false
   * when it could not go as it is (too big, or not serialisable): an error reply with the
   * request's id went instead, and the request is over.
   */
  deliver(to: Sender, msg: EventMessage): boolean;
  /** Sends an encoded line (checked by the caller) as `deliver` would send a message. */
  sendLine(to: Sender, line: string): void;
  /** The largest message, in bytes. */
  readonly maxMessageBytes: number;
  /** Sends a binary frame to the sender. */
  sendData(to: Sender, payload: Uint8Array): boolean;
  /** While the sender's queue is full, a promise that resolves once it has room; else undefined. */
  backpressure(to: Sender): Promise<void> | undefined;
}

/** Everything needed to run one request. */
export interface RequestJob {
  cmd: string;
  id: RequestId | undefined;
  sender: Sender;
  rawArgs: Record<string, unknown>;
  command: CompiledCommand;
  handler: Handler<never>;
  /** Event name of stream items and of the final stream message ["token"]. */
  streamEvent: string;
  signal: AbortSignal;
}

const EVENT_HEAD: ReadonlySet<string> = new Set(["event", "id"]);

/**
 * Builds an event message: `event` first, then `id` (so that a reader that cannot parse the
 * message, for example because it is too big, still finds which request it answers), then the
 * fields.
 */
export function makeEvent(
  event: string,
  fields: Record<string, unknown> | undefined,
  id: RequestId | undefined,
): EventMessage {
  const msg: EventMessage = { event };
  if (id !== undefined) msg.id = id;
  if (fields !== undefined) copyFields(msg, fields, EVENT_HEAD);
  return msg;
}

/** A message encoded for the wire, or the error reply that replaced it. */
export interface EncodedEvent {
  /** The JSON line, newline included. */
  line: string;
  /** True when `line` is an error reply standing in for a message that could not go. */
  replaced: boolean;
}

/**
 * Encodes `msg` as one JSON line. A message that cannot be serialised (a cycle, a BigInt, deep
 * nesting) or is over `maxBytes` becomes an error reply carrying its id, so whoever waits for it
 * learns why at once.
 */
export function encodeEvent(msg: EventMessage, maxBytes: number): EncodedEvent {
  let text: string | undefined;
  try {
    text = JSON.stringify(msg);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return replaced(msg, `the reply could not be serialised: ${why}`, WireErrorCode.HandlerError);
  }
  if (text === undefined) {
    return replaced(msg, "the reply could not be serialised", WireErrorCode.HandlerError);
  }
  if (text.length * 3 > maxBytes) {
    const bytes = Buffer.byteLength(text);
    if (bytes > maxBytes) {
      return replaced(
        msg,
        `reply '${msg.event}' ${tooBig(bytes, maxBytes, RAISE_SERVER_MESSAGES)}`,
        WireErrorCode.TooBig,
      );
    }
  }
  return { line: text + "\n", replaced: false };
}

function replaced(msg: EventMessage, message: string, code: WireErrorCode): EncodedEvent {
  const id = isRequestId(msg.id) ? msg.id : undefined;
  return { line: JSON.stringify(makeEvent("error", { message, code }, id)) + "\n", replaced: true };
}

const WIRE_CODE_RE = /^[a-z][a-z0-9_]{0,63}$/;

/**
 * An error event for a thrown value: its `wireCode` (a {@link PipeToolError}), else a lowercase
 * `code` (any error a handler throws), else `handler_error`.
 */
export function errorEvent(
  err: unknown,
  id: RequestId | undefined,
  withCode = id !== undefined,
): EventMessage {
  const message = err instanceof Error ? err.message : String(err);
  const { wireCode, code } = (err ?? {}) as { wireCode?: unknown; code?: unknown };
  const wire =
    typeof wireCode === "string" && WIRE_CODE_RE.test(wireCode)
      ? wireCode
      : typeof code === "string" && WIRE_CODE_RE.test(code)
        ? code
        : WireErrorCode.HandlerError;
  return makeEvent("error", errorFields(message, wire, withCode), id);
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Record<symbol, unknown>)[Symbol.asyncIterator] === "function"
  );
}

function replyFor(result: unknown, id: RequestId | undefined): EventMessage | undefined {
  if (result === undefined) return id === undefined ? undefined : makeEvent("ok", undefined, id);
  if (isRecord(result)) {
    return typeof result["event"] === "string"
      ? makeEvent(result["event"], result, id)
      : makeEvent("result", result, id);
  }
  return makeEvent("result", { result }, id);
}

/**
 * The line of a stream item built straight from its fields (the common case, and a hot path):
 * undefined when the fields need the general path (they name `event`, `id` or `done`, cannot be
 * serialised, or are too big).
 */
function itemLine(
  head: string,
  fields: Record<string, unknown>,
  maxBytes: number,
): string | undefined {
  if (
    Object.hasOwn(fields, "event") ||
    Object.hasOwn(fields, "id") ||
    Object.hasOwn(fields, "done")
  )
    return undefined;
  let body: string;
  try {
    body = JSON.stringify(fields);
  } catch {
    return undefined;
  }
  if (typeof body !== "string" || body.charCodeAt(0) !== 0x7b) return undefined;
  const line = `${head}${body.length > 2 ? `,${body.slice(1, -1)}` : ""},"done":false}\n`;
  if (line.length * 3 > maxBytes && Buffer.byteLength(line) > maxBytes) return undefined;
  return line;
}

/** A stream that has not waited on anything for this long lets other work run, in ms. */
const YIELD_AFTER_MS = 10;

/** Runs a request to completion. Never throws. */
export async function runRequest(job: RequestJob, outbox: Outbox): Promise<void> {
  const { id, sender, signal, streamEvent } = job;
  let finished = false;
  const finish = (msg: EventMessage | undefined): void => {
    if (finished) return;
    finished = true;
    if (msg !== undefined) outbox.deliver(sender, msg);
  };
  const heads = new Map<string, string>();
  const item = (event: string, fields: Record<string, unknown> | undefined): void => {
    if (finished) return;
    let head = heads.get(event);
    if (head === undefined) {
      head = `{"event":${JSON.stringify(event)}${id === undefined ? "" : `,"id":${JSON.stringify(id)}`}`;
      heads.set(event, head);
    }
    const line = fields === undefined ? undefined : itemLine(head, fields, outbox.maxMessageBytes);
    if (line !== undefined) return outbox.sendLine(sender, line);
    const msg = makeEvent(event, fields, id);
    msg.done = false;
    if (!outbox.deliver(sender, msg)) finished = true;
  };
  const onAbort = (): void => {
    const reason: unknown = signal.reason;
    const message = reason instanceof Error ? reason.message : "cancelled";
    finish(makeEvent("error", errorFields(message, WireErrorCode.Cancelled, ours(sender, id)), id));
  };
  if (signal.aborted) return onAbort();
  signal.addEventListener("abort", onAbort, { once: true });

  const checked = job.command.validate(job.rawArgs);
  if (!checked.ok) {
    signal.removeEventListener("abort", onAbort);
    finish(
      makeEvent("error", errorFields(checked.error, WireErrorCode.BadArgs, ours(sender, id)), id),
    );
    return;
  }
  const ctx: RequestContext = {
    cmd: job.cmd,
    id,
    sender,
    signal,
    reply: (event, fields) => {
      // A handler's own error reply keeps to the same shape rule as ours (error-reply.ts).
      const plain = event === "error" && !ours(sender, id);
      const message = fields?.["message"];
      const text = typeof message === "string" ? message : "error";
      finish(makeEvent(event, plain ? { message: text } : fields, id));
    },
    emit: item,
    sendData: (payload) => outbox.sendData(sender, payload),
  };
  try {
    const result = await (job.handler as Handler<unknown>)(checked.args, ctx);
    if (isAsyncIterable(result)) {
      const final = await pump(
        result,
        () => finished,
        (value) => {
          if (typeof value === "string") item(streamEvent, { text: value });
          else if (isRecord(value)) {
            item(typeof value["event"] === "string" ? value["event"] : streamEvent, value);
          } else item(streamEvent, { value });
        },
        () => outbox.backpressure(sender),
      );
      const fields: Record<string, unknown> = { text: "" };
      if (isRecord(final)) copyFields(fields, final);
      const end = makeEvent(streamEvent, fields, id);
      end.done = true;
      finish(end);
    } else {
      finish(replyFor(result, id));
    }
  } catch (err) {
    finish(errorEvent(err, id, ours(sender, id)));
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}

/**
 * Pulls a handler's stream. It is not pulled while the client's queue is full (backpressure),
 * and a stream that never waits yields to the event loop every few milliseconds, so one fast
 * generator cannot starve every other client.
 */
async function pump(
  iterable: AsyncIterable<unknown>,
  stopped: () => boolean,
  onItem: (value: unknown) => void,
  backpressure: () => Promise<void> | undefined,
): Promise<unknown> {
  const it = iterable[Symbol.asyncIterator]();
  let since = performance.now();
  let count = 0;
  for (;;) {
    const step = await it.next();
    if (stopped()) {
      if (!step.done) await it.return?.();
      return undefined;
    }
    if (step.done === true) return step.value;
    onItem(step.value);
    const full = backpressure();
    if (full !== undefined) {
      await full;
      if (stopped()) {
        await it.return?.();
        return undefined;
      }
      since = performance.now();
    } else if ((++count & 63) === 0 && performance.now() - since > YIELD_AFTER_MS) {
      await yieldToLoop();
      since = performance.now();
    }
  }
}
