/**
 * The requests a NATS transport has sent and not yet seen end, by their reply subject's last
 * token: the session's request id to hand replies back with, and the gateway running each once
 * a message has named it. The transport needs them to answer a gateway's "still waiting?"
 * probes, to drop replies of requests that ended, and to fail requests whose gateway or
 * connection went away, or that no gateway took up. Deadlines, streams and settling stay with
 * the session (the core's ToolClient).
 */
import type { RequestId } from "named-pipe-tools";
import { PipeToolError } from "named-pipe-tools";

/** One request on its way. */
export interface Route {
  /** The session's id of the request. */
  readonly id: RequestId;
  readonly cmd: string;
  /** When it was sent (ms since the epoch). */
  readonly since: number;
  /** The gateway running it, once a message named it. */
  gateway: string | undefined;
  /**
   * A cancel was sent for it. Its messages then reach the session only as a failure (its final
   * error reply): when the session cancelled it, the session no longer waits for it and would
   * take any message as a broadcast.
   */
  cancelled: boolean;
}

/** What a failed route is reported to. */
export type FailRoute = (id: RequestId, err: PipeToolError) => void;

/** The requests in flight of one client of tool `tool`, keyed by reply-subject token. */
export class Routes {
  readonly #tool: string;
  readonly #routes = new Map<string, Route>();

  constructor(tool: string) {
    this.#tool = tool;
  }

  get size(): number {
    return this.#routes.size;
  }

  get(key: string): Route | undefined {
    return this.#routes.get(key);
  }

  /** Adds request `id` (of command `cmd`); returns its key (its reply subject's last token). */
  add(id: RequestId, cmd: string): string {
    const key = String(id);
    this.#routes.set(key, { id, cmd, since: Date.now(), gateway: undefined, cancelled: false });
    return key;
  }

  /** The keys of every request on its way. */
  keys(): string[] {
    return [...this.#routes.keys()];
  }

  delete(key: string): boolean {
    return this.#routes.delete(key);
  }

  /** The gateways that run requests now. */
  gateways(): Set<string> {
    const ids = new Set<string>();
    for (const route of this.#routes.values())
      if (route.gateway !== undefined) ids.add(route.gateway);
    return ids;
  }

  /** Fails the requests no gateway took up within `ms`; returns whether any untaken is left. */
  sweepUntaken(ms: number, fail: FailRoute): boolean {
    const now = Date.now();
    let left = false;
    for (const [key, route] of [...this.#routes]) {
      if (route.gateway !== undefined) continue;
      if (now - route.since < ms) {
        left = true;
        continue;
      }
      this.#routes.delete(key);
      fail(
        route.id,
        new PipeToolError(
          "ESERVERGONE",
          `no host took up '${route.cmd}' of tool '${this.#tool}' within ${ms} ms (the host that got it went away?)`,
        ),
      );
    }
    return left;
  }

  /** Fails the requests that `gateway` runs: it went away. */
  failGateway(gateway: string, fail: FailRoute): void {
    for (const [key, route] of [...this.#routes]) {
      if (route.gateway !== gateway) continue;
      this.#routes.delete(key);
      fail(
        route.id,
        new PipeToolError(
          "ESERVERGONE",
          `the host running '${route.cmd}' of tool '${this.#tool}' went away (its gateway stopped answering)`,
        ),
      );
    }
  }

  /** Fails every request with the error `make` gives for it. */
  failAll(make: (route: Route) => PipeToolError, fail: FailRoute): void {
    const all = [...this.#routes.values()];
    this.#routes.clear();
    for (const route of all) fail(route.id, make(route));
  }

  /** Forgets every request. */
  clear(): void {
    this.#routes.clear();
  }
}
