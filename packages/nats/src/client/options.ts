/**
 * Options of a client of a remote tool: those of the core's session (timeouts, `subscribe`,
 * `trace`...) plus how to reach NATS and the tool on it.
 */
import type { NatsConnection } from "nats";
import type { SessionOptions } from "named-pipe-tools";
import type { OpenNatsOptions } from "../auth.js";

/** Options of {@link NatsTransport}: reaching NATS and one tool on it. */
export interface NatsTransportOptions extends OpenNatsOptions {
  /** Subject prefix the tools are exported under [npt]. */
  prefix?: string;
  /** Use this NATS connection instead of opening one (it is left open by `close()`). */
  connection?: NatsConnection;
  /** How long opening NATS, then a `ping` of the tool, may take, in ms [5000]. */
  timeoutMs?: number;
  /** Aborts opening. */
  signal?: AbortSignal;
  /** Open the binary data channel [false]. */
  data?: boolean;
  /**
   * How often the hosts running this client's calls are checked while calls are in flight, in
   * ms [1000]. A host that is gone fails its calls with `ESERVERGONE` within about this long.
   */
  checkIntervalMs?: number;
  /**
   * How long a call may wait for a host to take it up, in ms [3000]. A gateway acknowledges a
   * request within a few ms of getting it; a call not taken up in this time was lost with a
   * host that died, and fails with `ESERVERGONE`.
   */
  takeUpTimeoutMs?: number;
}

/**
 * Options of `NatsToolClient.connect`: the session's (`callTimeoutMs`, `subscribe`: receive the
 * tool's broadcasts [true], `trace`...) and the transport's. `compat: "reference"` does not
 * apply: a remote tool is always reached through one of our gateways.
 */
export interface NatsClientOptions extends NatsTransportOptions, Omit<SessionOptions, "compat"> {
  /** How long connecting (NATS, a `ping` of the tool, subscribing) may take, in ms [5000]. */
  timeoutMs?: number;
  /** Aborts connecting. */
  signal?: AbortSignal;
}
