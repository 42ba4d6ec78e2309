/**
 * The requests of one session that wait for replies, by id, and their deadlines. One timer
 * serves them all (armed for the earliest deadline), instead of a timer per call: calls are
 * mostly answered long before their deadline, so the timer rarely fires. While nothing waits the
 * timer stays armed but unreferenced (it never keeps the process alive), so a session making
 * one call after another does not set and clear a timer each time.
 */
import type { PipeToolError } from "../errors.js";
import type { EventMessage, RequestId } from "../protocol/messages.js";

/** How the table sees one request. */
export interface PendingEntry {
  /** A message answering it (a stream item or the final reply). */
  onMessage(msg: EventMessage): void;
  /** It cannot complete: the connection ended, or its reply was refused. */
  fail(err: PipeToolError): void;
  /**
   * Until when (`performance.now()` ms) its first message is awaited; `Infinity` once one came
   * or when it has no deadline.
   */
  deadline: number;
  /** Its deadline passed without a message. */
  expire(): void;
}

/** The longest delay a Node timer takes (longer ones fire at once). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Pending requests by id, with one timer for all their deadlines. */
export class PendingTable {
  readonly #entries = new Map<RequestId, PendingEntry>();
  #timer: NodeJS.Timeout | undefined;
  #armedFor = Infinity;
  #referenced = false;
  readonly #fire = (): void => this.#expire();

  get size(): number {
    return this.#entries.size;
  }

  get(id: RequestId): PendingEntry | undefined {
    return this.#entries.get(id);
  }

  /** Adds a request; its deadline is watched from now on. */
  add(id: RequestId, entry: PendingEntry): void {
    this.#entries.set(id, entry);
    if (entry.deadline < this.#armedFor) this.#arm(entry.deadline);
    else if (!this.#referenced && this.#timer !== undefined) {
      this.#timer.ref();
      this.#referenced = true;
    }
  }

  delete(id: RequestId): void {
    this.#entries.delete(id);
    if (this.#entries.size === 0 && this.#referenced) {
      this.#timer?.unref();
      this.#referenced = false;
    }
  }

  /** Removes and returns every entry. */
  drain(): PendingEntry[] {
    const all = [...this.#entries.values()];
    this.#entries.clear();
    this.#disarm();
    return all;
  }

  /** The oldest entry (for servers that send no ids). */
  oldest(): PendingEntry | undefined {
    return this.#entries.values().next().value;
  }

  #arm(at: number): void {
    clearTimeout(this.#timer);
    this.#armedFor = at;
    const delay = Math.min(MAX_TIMER_MS, Math.max(1, Math.ceil(at - performance.now())));
    this.#timer = setTimeout(this.#fire, delay);
    this.#referenced = true;
    if (this.#entries.size === 0) {
      this.#timer.unref();
      this.#referenced = false;
    }
  }

  #disarm(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedFor = Infinity;
    this.#referenced = false;
  }

  #expire(): void {
    this.#timer = undefined;
    this.#armedFor = Infinity;
    this.#referenced = false;
    const now = performance.now();
    const expired: PendingEntry[] = [];
    let next = Infinity;
    for (const entry of this.#entries.values()) {
      if (entry.deadline <= now) expired.push(entry);
      else if (entry.deadline < next) next = entry.deadline;
    }
    for (const entry of expired) entry.expire();
    if (next < this.#armedFor && next !== Infinity) this.#arm(next);
  }
}
