/**
 * The async iterable returned by `ToolClient.stream()`.
 */
import { PipeToolError, RemoteError } from "../errors.js";
import type { EventMessage, RequestId } from "../protocol/messages.js";
import { isTerminal } from "../protocol/messages.js";
import type { PendingEntry } from "./options.js";

/** @internal */
export interface ToolStreamInit {
  id: RequestId;
  cmd: string;
  toolName: string;
  timeoutMs: number;
  /** Most messages held for a consumer that has not taken them yet. */
  maxBuffered: number;
  signal: AbortSignal | undefined;
  register: (entry: PendingEntry) => void;
  unregister: () => void;
  cancel: () => void;
}

/**
 * The messages of one streaming request, in order. Iterate it once with `for await`; `break`
 * (or `return()`) cancels the request on the server. The final message ends the iteration;
 * an error reply is thrown as a `RemoteError`.
 */
export class ToolStream implements AsyncIterable<EventMessage> {
  /** The request id. */
  readonly id: RequestId;
  readonly #init: ToolStreamInit;
  readonly #queue: EventMessage[] = [];
  #failure: PipeToolError | undefined;
  #finished = false;
  #wake: (() => void) | undefined;
  #timer: NodeJS.Timeout | undefined;
  #iterating = false;
  readonly #onAbort = (): void => {
    this.#stop(
      new PipeToolError("EABORTED", `stream '${this.#init.cmd}' was aborted`, {
        cause: this.#init.signal?.reason,
      }),
    );
  };

  constructor(init: ToolStreamInit) {
    this.id = init.id;
    this.#init = init;
    init.register({
      onMessage: (msg) => {
        clearTimeout(this.#timer);
        if (this.#queue.length >= init.maxBuffered) {
          // Memory stays bounded: a consumer this far behind loses the stream, not the process.
          this.#stop(
            new PipeToolError(
              "ETOOBIG",
              `stream '${init.cmd}' cancelled: its consumer fell ${init.maxBuffered} messages behind`,
            ),
          );
          return;
        }
        this.#queue.push(msg);
        if (isTerminal(msg)) this.#end();
        this.#wake?.();
      },
      fail: (err) => {
        this.#failure ??= err;
        this.#end();
        this.#wake?.();
      },
    });
    this.#timer = setTimeout(() => {
      this.#stop(
        new PipeToolError(
          "ETIMEDOUT",
          `no reply to '${init.cmd}' from tool '${init.toolName}' within ${init.timeoutMs} ms`,
        ),
      );
    }, init.timeoutMs);
    if (init.signal?.aborted === true) this.#onAbort();
    else init.signal?.addEventListener("abort", this.#onAbort, { once: true });
  }

  /** Ends the stream early with `err`, cancelling it on the server. */
  #stop(err: PipeToolError): void {
    if (this.#finished) return;
    this.#failure ??= err;
    this.#init.cancel();
    this.#end();
    this.#wake?.();
  }

  #end(): void {
    if (this.#finished) return;
    this.#finished = true;
    clearTimeout(this.#timer);
    this.#init.signal?.removeEventListener("abort", this.#onAbort);
    this.#init.unregister();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<EventMessage, void, undefined> {
    if (this.#iterating) throw new TypeError("a ToolStream can be iterated only once");
    this.#iterating = true;
    try {
      for (;;) {
        const msg = this.#queue.shift();
        if (msg !== undefined) {
          if (msg.event === "error" && isTerminal(msg)) throw new RemoteError(msg);
          yield msg;
          if (isTerminal(msg)) return;
          continue;
        }
        if (this.#failure !== undefined) throw this.#failure;
        if (this.#finished) return;
        await new Promise<void>((resolve) => (this.#wake = resolve));
        this.#wake = undefined;
      }
    } finally {
      if (!this.#finished) {
        this.#init.cancel();
        this.#end();
      }
    }
  }

  /** Collects every message of the stream. */
  async toArray(): Promise<EventMessage[]> {
    const out: EventMessage[] = [];
    for await (const msg of this) out.push(msg);
    return out;
  }
}
