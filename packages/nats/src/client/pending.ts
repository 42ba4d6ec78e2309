/**
 * The calls a NatsToolClient has in flight, by request id, with the gateway running each once a
 * message has named it: failing them when their gateway or the connection goes away, or when no
 * gateway took them up in time.
 */
import type { EventMessage } from "named-pipe-tools";
import { PipeToolError } from "named-pipe-tools";

/** One request waiting for its messages. */
export interface Pending {
  cmd: string;
  /** When it was sent (ms since the epoch). */
  since: number;
  /** The gateway running it, once a message named it. */
  gateway: string | undefined;
  onMessage(msg: EventMessage): void;
  fail(err: PipeToolError): void;
}

/** The calls in flight of one client of tool `tool`. */
export class PendingCalls extends Map<string, Pending> {
  constructor(readonly tool: string) {
    super();
  }

  /** The gateways that run calls now. */
  gateways(): Set<string> {
    const ids = new Set<string>();
    for (const entry of this.values()) if (entry.gateway !== undefined) ids.add(entry.gateway);
    return ids;
  }

  /** Fails the calls no gateway took up within `ms`; returns whether any untaken call is left. */
  sweepUntaken(ms: number): boolean {
    const now = Date.now();
    let left = false;
    for (const [id, entry] of [...this]) {
      if (entry.gateway !== undefined) continue;
      if (now - entry.since < ms) {
        left = true;
        continue;
      }
      this.delete(id);
      entry.fail(
        new PipeToolError(
          "ESERVERGONE",
          `no host took up '${entry.cmd}' of tool '${this.tool}' within ${ms} ms (the host that got it went away?)`,
        ),
      );
    }
    return left;
  }

  /** Fails the calls that `gateway` runs: it went away. */
  failGateway(gateway: string): void {
    for (const [id, entry] of [...this]) {
      if (entry.gateway !== gateway) continue;
      this.delete(id);
      entry.fail(
        new PipeToolError(
          "ESERVERGONE",
          `the host running '${entry.cmd}' of tool '${this.tool}' went away (its gateway stopped answering)`,
        ),
      );
    }
  }

  /** Fails every call with `err`. */
  failAll(err: PipeToolError): void {
    const entries = [...this.values()];
    this.clear();
    for (const entry of entries) entry.fail(err);
  }
}
