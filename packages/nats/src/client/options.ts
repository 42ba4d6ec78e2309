/**
 * Options of the NATS tool client.
 */
import type { NatsConnection } from "nats";
import type { OpenNatsOptions } from "../auth.js";

/** Options of {@link NatsToolClient.connect}. */
export interface NatsClientOptions extends OpenNatsOptions {
  /** Subject prefix the tools are exported under [npt]. */
  prefix?: string;
  /** Use this NATS connection instead of opening one (it is left open by `close()`). */
  connection?: NatsConnection;
  /** How long connecting (NATS, then a `ping` of the tool) may take, in ms [5000]. */
  timeoutMs?: number;
  /** Default timeout of calls until their first reply, in ms [30000]. */
  callTimeoutMs?: number;
  /** Open the binary data channel [false]. */
  data?: boolean;
  /** Receive the tool's broadcasts (`on`) [true]. */
  subscribe?: boolean;
  /** Aborts connecting. */
  signal?: AbortSignal;
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
  /** Called with every message this client sends (`"out"`) or receives (`"in"`). */
  trace?: (direction: "in" | "out", message: Readonly<Record<string, unknown>>) => void;
}
