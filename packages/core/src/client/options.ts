/**
 * Options of the client and its calls, and how a target names a tool.
 */
import path from "node:path";
import { PipeToolError } from "../errors.js";
import type { EventMessage } from "../protocol/messages.js";
import { defaultPipeDir, validateToolName } from "../transport/paths.js";

/** Options of a session over any transport ({@link ToolClient.over}). */
export interface SessionOptions {
  /** How long to wait for the server's `subscribed`, in ms [5000]. */
  timeoutMs?: number;
  /** Default timeout of calls until their first reply, in ms [30000]. */
  callTimeoutMs?: number;
  /** Aborts connecting. */
  signal?: AbortSignal;
  /**
   * Subscribe while connecting [true]. With `false` the client only sends (`send`): servers
   * reply to subscribers only, so calls would get no answer; `close()` then skips `unsubscribe`.
   */
  subscribe?: boolean;
  /**
   * `"reference"` talks to a server of the Python reference project, which knows no request
   * ids, client tokens or fragments: this client then uses the pid-only pipe
   * `tool-<name>-<pid>` (one such client per process and tool), sends lines whole, and cannot
   * cancel on the server or open a data channel. Calls go one at a time; a reply without an id
   * answers the call in flight only when it is the event that call expects, where known (the
   * built-ins and the reference servers' commands), or an error; never a known broadcast. Our
   * servers answer this form too (by id). Default `"ours"`.
   */
  compat?: "ours" | "reference";
  /** Called with every message this client writes (`"out"`) or reads (`"in"`), e.g. to log them. */
  trace?: (direction: "in" | "out", message: Readonly<Record<string, unknown>>) => void;
}

/** Options of {@link ToolClient.connect}: a session over the tool's FIFOs. */
export interface ConnectOptions extends SessionOptions {
  /** Pipe directory [`$PIPE_TOOLS_DIR`, else /tmp]. Ignored when a path is given. */
  dir?: string;
  /** Open the binary data channel [false]. */
  data?: boolean;
  /**
   * Largest reply accepted, in bytes [64 MiB, or the server's limit when it announces a larger
   * one]. A longer reply fails its call with `ETOOBIG`.
   */
  maxMessageBytes?: number;
  /**
   * Where requests go [`"private"`]: this client's own upstream pipe when the server offers it
   * (protocol revision 2; large messages travel whole, and the server notices at once when this
   * client exits), else the tool's shared pipe. `"shared"` always uses the shared pipe, in
   * atomic pieces, as revision 1 did.
   */
  upstream?: "private" | "shared";
  /**
   * Bytes a client may queue toward the server before a send fails with `ETOOBIG` (the
   * connection stays usable) [64 MiB].
   */
  maxQueuedBytes?: number;
}

/** Options of one call. */
export interface CallOptions {
  /** Time allowed until the first reply message, in ms [the client's callTimeoutMs]. */
  timeoutMs?: number;
  /** Aborting it cancels the request on the server and rejects with `EABORTED`. */
  signal?: AbortSignal;
  /** Receives stream items (`done:false`) that arrive before the final reply. */
  onEvent?: (msg: EventMessage) => void;
}

/** Options of one stream. */
export interface StreamOptions extends Omit<CallOptions, "onEvent"> {
  /**
   * Most messages held for a loop that has not taken them yet [100000]; past it the stream is
   * cancelled and throws `ETOOBIG`, so a slow consumer cannot exhaust memory.
   */
  maxBuffered?: number;
}

/** Splits `nameOrPath` into a tool name and a directory. */
export function resolveTarget(
  nameOrPath: string,
  dir: string | undefined,
): { name: string; dir: string } {
  if (typeof nameOrPath !== "string") {
    throw new TypeError(`tool must be a name or a path, got ${typeof nameOrPath}`);
  }
  if (!nameOrPath.includes("/"))
    return { name: validateToolName(nameOrPath), dir: dir ?? defaultPipeDir() };
  const base = path.basename(nameOrPath);
  if (!base.startsWith("tool-")) {
    throw new PipeToolError("EBADNAME", `pipe path ${nameOrPath} must end in 'tool-<name>'`);
  }
  return { name: validateToolName(base.slice(5)), dir: path.dirname(path.resolve(nameOrPath)) };
}
