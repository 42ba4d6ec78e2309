/**
 * The many-clients policy: at most `slots` generations run at once (parallel sequences on one
 * model, or concurrent upstream requests); later requests wait in a bounded first-come,
 * first-served queue. A waiting request whose signal aborts (cancel, client gone) leaves the
 * queue at once.
 */
import { ChatServerError } from "./errors.js";

interface Waiter {
  grant: (release: () => void) => void;
}

/** A counting semaphore with a bounded FIFO queue and abortable waits. */
export class SlotQueue {
  readonly #slots: number;
  readonly #maxWaiting: number;
  readonly #waiting: Waiter[] = [];
  readonly #onChange: () => void;
  #active = 0;

  /**
   * @param slots generations at once (>= 1)
   * @param maxWaiting requests allowed to wait (>= 0); more are refused with `queue_full`
   * @param onChange called whenever `active` or `waiting` changes
   */
  constructor(slots: number, maxWaiting: number, onChange: () => void = () => undefined) {
    this.#slots = slots;
    this.#maxWaiting = maxWaiting;
    this.#onChange = onChange;
  }

  /** Generations running. */
  get active(): number {
    return this.#active;
  }

  /** Requests waiting for a slot. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /**
   * Waits for a slot; resolves with its release function (call it exactly once).
   * @throws ChatServerError `queue_full`; the signal's reason when it aborts while waiting
   */
  acquire(signal: AbortSignal): Promise<() => void> {
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    if (this.#active < this.#slots) return Promise.resolve(this.#take());
    if (this.#waiting.length >= this.#maxWaiting) {
      return Promise.reject(
        new ChatServerError(
          "EQUEUEFULL",
          `too many requests waiting (${this.#waiting.length} queued, limit ${this.#maxWaiting})`,
        ),
      );
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        grant: (release) => {
          signal.removeEventListener("abort", onAbort);
          resolve(release);
        },
      };
      const onAbort = (): void => {
        const i = this.#waiting.indexOf(waiter);
        if (i >= 0) this.#waiting.splice(i, 1);
        this.#onChange();
        reject(signal.reason as Error);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.#waiting.push(waiter);
      this.#onChange();
    });
  }

  #take(): () => void {
    this.#active++;
    this.#onChange();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#active--;
      const next = this.#waiting.shift();
      if (next !== undefined) next.grant(this.#take());
      else this.#onChange();
    };
  }
}
