/**
 * The requests one exported tool runs for remote callers, by reply subject: cancelling them
 * when their caller asks (`<p>.cancel.<tool>`) or goes away, found by probing each caller that
 * has waited a while. A caller whose connection is gone gets NATS's "no responders" answer at
 * once; one that no longer waits for the request answers `0`.
 */
import type { NatsConnection } from "nats";
import { PROBE_HEADER, decodeText, oneHeader } from "../wire.js";

/** Probes in a row left unanswered after which a caller counts as gone. */
const MAX_MISSES = 3;
/** How long a cancel that arrived before its request is remembered, in ms. */
const EARLY_CANCEL_MS = 10_000;

interface Running {
  abort: AbortController;
  since: number;
  misses: number;
  probing: boolean;
}

/** Requests in flight for remote callers, and the probing of those callers. */
export class InFlight {
  readonly #nc: NatsConnection;
  readonly #probeMs: number;
  readonly #running = new Map<string, Running>();
  /** Cancels that arrived before their request (different subjects may race). */
  readonly #early = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;

  constructor(nc: NatsConnection, probeIntervalMs: number) {
    this.#nc = nc;
    this.#probeMs = probeIntervalMs;
  }

  /** How many requests run now. */
  get size(): number {
    return this.#running.size;
  }

  /**
   * Registers the request answering on `reply`; returns its AbortSignal, already aborted when
   * its cancel came first.
   */
  add(reply: string): AbortSignal {
    const abort = new AbortController();
    if (this.#early.delete(reply)) abort.abort(new Error("cancelled by the caller"));
    else this.#running.set(reply, { abort, since: Date.now(), misses: 0, probing: false });
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => this.#probeAll(), this.#probeMs);
      this.#timer.unref();
    }
    return abort.signal;
  }

  /** Forgets a finished request. */
  delete(reply: string): void {
    this.#running.delete(reply);
    if (this.#running.size === 0 && this.#early.size === 0) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }

  /** Cancels the request answering on `reply` (a cancel from its caller). */
  cancel(reply: string, why = "cancelled by the caller"): void {
    const running = this.#running.get(reply);
    if (running === undefined) {
      this.#early.set(reply, Date.now());
      return;
    }
    this.#running.delete(reply);
    running.abort.abort(new Error(why));
  }

  /** Cancels every request (the tool or the gateway stops). */
  cancelAll(why: string): void {
    for (const reply of [...this.#running.keys()]) this.cancel(reply, why);
    this.#early.clear();
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #probeAll(): void {
    const now = Date.now();
    for (const [reply, at] of this.#early)
      if (now - at > EARLY_CANCEL_MS) this.#early.delete(reply);
    for (const [reply, running] of this.#running) {
      if (running.probing || now - running.since < this.#probeMs) continue;
      running.probing = true;
      void this.#probe(reply, running).finally(() => (running.probing = false));
    }
  }

  async #probe(reply: string, running: Running): Promise<void> {
    try {
      const answer = await this.#nc.request(reply, undefined, {
        timeout: this.#probeMs * 2,
        headers: oneHeader(PROBE_HEADER, "1"),
      });
      running.misses = 0;
      if (decodeText(answer.data) === "0") this.cancel(reply, "the caller no longer waits");
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code === "503") this.cancel(reply, "the caller went away");
      else if (++running.misses >= MAX_MISSES) this.cancel(reply, "the caller stopped answering");
    }
  }
}
