/**
 * One `ToolClient.call` waiting for its reply: one object per call (instead of a set of
 * closures and a timer), settled by its final reply, an error, its deadline or its signal.
 */
import { PipeToolError, RemoteError } from "../errors.js";
import type { EventMessage, RequestId } from "../protocol/messages.js";
import type { PendingEntry } from "./pending.js";

/** What a call needs from its session. */
export interface CallHost {
  /** The tool's name, for messages. */
  readonly name: string;
  /** Forgets the call (it settled). */
  forget(id: RequestId): void;
  /** Asks the server to stop working on it. */
  cancel(id: RequestId): void;
}

/** The error of an aborted call or stream. */
export function abortedError(what: string, signal: AbortSignal | undefined): PipeToolError {
  return new PipeToolError("EABORTED", `${what} was aborted`, { cause: signal?.reason });
}

/** A call in flight. */
export class PendingCall implements PendingEntry {
  deadline: number;
  readonly #host: CallHost;
  readonly #id: RequestId;
  readonly #cmd: string;
  readonly #timeoutMs: number;
  readonly #resolve: (msg: EventMessage) => void;
  readonly #reject: (err: Error) => void;
  readonly #onEvent: ((msg: EventMessage) => void) | undefined;
  readonly #signal: AbortSignal | undefined;
  #settled = false;
  readonly onAbort = (): void => {
    if (this.#settle()) {
      this.#host.cancel(this.#id);
      this.#reject(abortedError(`call '${this.#cmd}'`, this.#signal));
    }
  };

  constructor(
    host: CallHost,
    init: {
      id: RequestId;
      cmd: string;
      timeoutMs: number;
      resolve: (msg: EventMessage) => void;
      reject: (err: Error) => void;
      onEvent: ((msg: EventMessage) => void) | undefined;
      signal: AbortSignal | undefined;
    },
  ) {
    this.#host = host;
    this.#id = init.id;
    this.#cmd = init.cmd;
    this.#timeoutMs = init.timeoutMs;
    this.#resolve = init.resolve;
    this.#reject = init.reject;
    this.#onEvent = init.onEvent;
    this.#signal = init.signal;
    this.deadline = performance.now() + init.timeoutMs;
  }

  onMessage(msg: EventMessage): void {
    this.deadline = Infinity; // the timeout covers only the wait for the first message
    if (msg.done === false) {
      this.#onEvent?.(msg);
      return;
    }
    if (!this.#settle()) return;
    if (msg.event === "error") this.#reject(new RemoteError(msg));
    else this.#resolve(msg);
  }

  fail(err: PipeToolError | Error): void {
    if (this.#settle()) this.#reject(err);
  }

  expire(): void {
    if (!this.#settle()) return;
    this.#host.cancel(this.#id);
    this.#reject(
      new PipeToolError(
        "ETIMEDOUT",
        `no reply to '${this.#cmd}' from tool '${this.#host.name}' within ${this.#timeoutMs} ms`,
      ),
    );
  }

  /** Marks it settled and forgets it; false when it already was. */
  #settle(): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    this.#host.forget(this.#id);
    this.#signal?.removeEventListener("abort", this.onAbort);
    return true;
  }
}
