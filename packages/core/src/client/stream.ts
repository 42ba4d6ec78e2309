/**
 * The async iterable returned by `ToolClient.stream()`.
 */
import { PipeToolError, RemoteError } from "../errors.js";
import type { EventMessage, RequestId } from "../protocol/messages.js";
import { isTerminal } from "../protocol/messages.js";
import { abortedError } from "./call.js";
import type { PendingEntry } from "./pending.js";

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

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * The messages of one streaming request, in order. Iterate it once with `for await`; `break`
 * (or `return()`) cancels the request on the server. The final message ends the iteration;
 * an error reply is thrown as a `RemoteError`.
 */
export class ToolStream implements AsyncIterable<EventMessage>, PendingEntry {
  /** The request id. */
  readonly id: RequestId;
  deadline: number;
  readonly #init: ToolStreamInit;
  /** Messages not yet taken: `#queue[#head..]` (a moving head, so taking one is O(1)). */
  #queue: EventMessage[] = [];
  #head = 0;
  #failure: PipeToolError | undefined;
  /** No more messages will arrive. */
  #finished = false;
  /** The consumer has seen the end (or stopped). */
  #over = false;
  #waiting: ((result: IteratorResult<EventMessage, undefined>) => void) | undefined;
  #waitingFail: ((err: Error) => void) | undefined;
  #iterating = false;
  readonly #onAbort = (): void => {
    this.#stop(abortedError(`stream '${this.#init.cmd}'`, this.#init.signal));
  };

  constructor(init: ToolStreamInit) {
    this.id = init.id;
    this.#init = init;
    this.deadline = performance.now() + init.timeoutMs;
    init.register(this);
    if (init.signal?.aborted === true) this.#onAbort();
    else init.signal?.addEventListener("abort", this.#onAbort, { once: true });
  }

  /** @internal A message of this request arrived. */
  onMessage(msg: EventMessage): void {
    this.deadline = Infinity;
    if (this.#queue.length - this.#head >= this.#init.maxBuffered) {
      // Memory stays bounded: a consumer this far behind loses the stream, not the process.
      this.#stop(
        new PipeToolError(
          "ETOOBIG",
          `stream '${this.#init.cmd}' cancelled: its consumer fell ${this.#init.maxBuffered} messages behind`,
        ),
      );
      return;
    }
    if (isTerminal(msg)) this.#end();
    const waiting = this.#waiting;
    const waitingFail = this.#waitingFail;
    if (waiting !== undefined && waitingFail !== undefined) {
      this.#waiting = undefined;
      this.#waitingFail = undefined;
      this.#deliver(msg, waiting, waitingFail);
      return;
    }
    this.#queue.push(msg);
  }

  /** @internal The request cannot complete. */
  fail(err: PipeToolError): void {
    this.#failure ??= err;
    this.#end();
    this.#wakeWithEnd();
  }

  /** @internal Its deadline passed without a message. */
  expire(): void {
    this.#stop(
      new PipeToolError(
        "ETIMEDOUT",
        `no reply to '${this.#init.cmd}' from tool '${this.#init.toolName}' within ${this.#init.timeoutMs} ms`,
      ),
    );
  }

  /** Ends the stream early with `err`, cancelling it on the server. */
  #stop(err: PipeToolError): void {
    if (this.#finished) return;
    this.#failure ??= err;
    this.#init.cancel();
    this.#end();
    this.#wakeWithEnd();
  }

  #end(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#init.signal?.removeEventListener("abort", this.#onAbort);
    this.#init.unregister();
  }

  /** Wakes a waiting consumer once nothing more will come. */
  #wakeWithEnd(): void {
    if (this.#waiting === undefined || this.#head < this.#queue.length) return;
    const resolve = this.#waiting;
    const reject = this.#waitingFail!;
    this.#waiting = undefined;
    this.#waitingFail = undefined;
    this.#over = true;
    if (this.#failure !== undefined) reject(this.#failure);
    else resolve(DONE);
  }

  /** Hands `msg` to the consumer: an error reply is thrown, a final message ends the loop. */
  #deliver(
    msg: EventMessage,
    resolve: (result: IteratorResult<EventMessage, undefined>) => void,
    reject: (err: Error) => void,
  ): void {
    if (isTerminal(msg)) {
      this.#over = true;
      if (msg.event === "error") return reject(new RemoteError(msg));
    }
    resolve({ done: false, value: msg });
  }

  #next(): Promise<IteratorResult<EventMessage, undefined>> {
    if (this.#over) return Promise.resolve(DONE);
    if (this.#head < this.#queue.length) {
      const msg = this.#queue[this.#head++]!;
      if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
        this.#queue = this.#queue.slice(this.#head);
        this.#head = 0;
      }
      if (isTerminal(msg)) {
        this.#over = true;
        if (msg.event === "error") return Promise.reject(new RemoteError(msg));
      }
      return Promise.resolve({ done: false, value: msg });
    }
    if (this.#failure !== undefined) {
      this.#over = true;
      return Promise.reject(this.#failure);
    }
    if (this.#finished) {
      this.#over = true;
      return Promise.resolve(DONE);
    }
    return new Promise((resolve, reject) => {
      this.#waiting = resolve;
      this.#waitingFail = reject;
    });
  }

  /** Stops early: cancels the request on the server if it is still running. */
  #return(): Promise<IteratorResult<EventMessage, undefined>> {
    this.#over = true;
    if (!this.#finished) {
      this.#init.cancel();
      this.#end();
    }
    return Promise.resolve(DONE);
  }

  [Symbol.asyncIterator](): AsyncIterator<EventMessage, undefined> {
    if (this.#iterating) throw new TypeError("a ToolStream can be iterated only once");
    this.#iterating = true;
    return {
      next: () => this.#next(),
      return: () => this.#return(),
    };
  }

  /** Collects every message of the stream. */
  async toArray(): Promise<EventMessage[]> {
    const out: EventMessage[] = [];
    for await (const msg of this) out.push(msg);
    return out;
  }
}
