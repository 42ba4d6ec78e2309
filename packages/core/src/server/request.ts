/**
 * Running one request: validating its arguments, calling the handler, and turning what the
 * handler returns, yields or throws into exactly one final reply (plus stream items).
 */
import type { EventMessage, RequestId } from "../protocol/messages.js";
import { WireErrorCode, isRecord } from "../protocol/messages.js";
import type { CompiledCommand } from "../schema/command.js";
import { errorFields, ours } from "./error-reply.js";
import type { Handler, RequestContext, Sender } from "./types.js";

/** Where a request's messages go. */
export interface Outbox {
  /** Sends a message to the sender (or broadcasts it when the sender has no pid). */
  deliver(to: Sender, msg: EventMessage): void;
  /** Sends a binary frame to the sender. */
  sendData(to: Sender, payload: Uint8Array): boolean;
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

/** Builds an event message with `event` first and `id` last. */
export function makeEvent(
  event: string,
  fields: Record<string, unknown> | undefined,
  id: RequestId | undefined,
): EventMessage {
  const msg: EventMessage = { event };
  if (fields !== undefined) Object.assign(msg, fields);
  msg.event = event;
  if (id !== undefined) msg.id = id;
  else delete msg.id;
  return msg;
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

/** Runs a request to completion. Never throws. */
export async function runRequest(job: RequestJob, outbox: Outbox): Promise<void> {
  const { id, sender, signal, streamEvent } = job;
  let finished = false;
  const finish = (msg: EventMessage | undefined): void => {
    if (finished) return;
    finished = true;
    if (msg !== undefined) outbox.deliver(sender, msg);
  };
  const item = (event: string, fields: Record<string, unknown> | undefined): void => {
    if (finished) return;
    const msg = makeEvent(event, fields, id);
    msg.done = false;
    outbox.deliver(sender, msg);
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
      );
      const fields: Record<string, unknown> = { text: "" };
      if (isRecord(final)) Object.assign(fields, final);
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

async function pump(
  iterable: AsyncIterable<unknown>,
  stopped: () => boolean,
  onItem: (value: unknown) => void,
): Promise<unknown> {
  const it = iterable[Symbol.asyncIterator]();
  for (;;) {
    const step = await it.next();
    if (stopped()) {
      if (!step.done) await it.return?.();
      return undefined;
    }
    if (step.done === true) return step.value;
    onItem(step.value);
  }
}
