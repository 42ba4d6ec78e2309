/**
 * The caller's side of host liveness: while calls are in flight, each gateway running one of
 * them is asked, every interval, whether it still lives (a request on its own subject). NATS
 * answers "no responders" at once for a gateway that is gone; then its calls fail clearly
 * instead of waiting forever for a final reply that cannot come. A call that no gateway has
 * taken up (every gateway acknowledges a request within a few ms of getting it) is failed the
 * same way after a while: the host that got it died before it could answer.
 */
import type { NatsConnection } from "nats";
import { gatewaySubject } from "../subjects.js";

/** Misses in a row (no answer in time) after which a gateway counts as gone. */
const MAX_MISSES = 3;

/** Options of {@link GatewayWatch}. */
export interface GatewayWatchOptions {
  nc: NatsConnection;
  prefix: string;
  intervalMs: number;
  /** The gateways that run calls now. */
  active: () => Iterable<string>;
  /** Called once when gateway `id` is found gone. */
  onGone: (id: string) => void;
  /** Called on every tick (to fail calls that no gateway took up in time); returns whether any are left waiting. */
  sweep: () => boolean;
}

/** Checks the gateways of calls in flight, on a timer that runs only while there are some. */
export class GatewayWatch {
  readonly #opts: GatewayWatchOptions;
  readonly #misses = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #checking = false;

  constructor(options: GatewayWatchOptions) {
    this.#opts = options;
  }

  /** Starts the timer if it is not running. */
  wake(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => void this.#check(), this.#opts.intervalMs);
    this.#timer.unref();
  }

  /** Stops the timer. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #check(): Promise<void> {
    if (this.#checking || this.#opts.nc.isClosed()) return;
    const waiting = this.#opts.sweep();
    const ids = new Set(this.#opts.active());
    if (ids.size === 0 && !waiting) {
      this.stop();
      this.#misses.clear();
      return;
    }
    this.#checking = true;
    try {
      await Promise.all([...ids].map((id) => this.#checkOne(id)));
    } finally {
      this.#checking = false;
    }
  }

  async #checkOne(id: string): Promise<void> {
    const { nc, prefix, intervalMs } = this.#opts;
    try {
      await nc.request(gatewaySubject(prefix, id), undefined, { timeout: intervalMs * 2 });
      this.#misses.delete(id);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      // 503: nobody subscribes to the gateway's subject any more. A timeout may be a slow
      // network: only a few in a row count.
      const misses = (this.#misses.get(id) ?? 0) + 1;
      if (code === "503" || misses >= MAX_MISSES) {
        this.#misses.delete(id);
        this.#opts.onGone(id);
      } else if (code === "TIMEOUT") this.#misses.set(id, misses);
    }
  }
}
