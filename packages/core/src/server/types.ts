/**
 * Public types of the server API.
 */
import type { RequestId } from "../protocol/messages.js";

/** Who sent a request. */
export interface Sender {
  /** Process id from the request (undefined when the request carried none). */
  readonly pid: number | undefined;
  /** Client token (our clients); undefined for reference clients. */
  readonly client: string | undefined;
  /** Routing key: `"<pid>"` or `"<pid>-<client>"`; `""` when there is no pid. */
  readonly key: string;
}

/** What a handler gets besides its arguments. */
export interface RequestContext {
  /** The command name, lowercased. */
  readonly cmd: string;
  /** The request's id, when the client sent one. */
  readonly id: RequestId | undefined;
  /** Who sent it. */
  readonly sender: Sender;
  /**
   * Aborted when the request is cancelled, its client goes away, or the server stops. Long
   * handlers should pass it on or check it.
   */
  readonly signal: AbortSignal;
  /** Sends the final reply now (later return values are ignored). */
  reply(event: string, fields?: Record<string, unknown>): void;
  /** Sends a stream item (`done:false`) to the sender. */
  emit(event: string, fields?: Record<string, unknown>): void;
  /** Sends a binary frame to the sender's data channel (if it opened one). */
  sendData(payload: Uint8Array): boolean;
}

/**
 * A command handler. Its result becomes the reply:
 * - `undefined`: an `{"event":"ok"}` acknowledgement when the request had an id, else nothing;
 * - an object with a string `event`: sent as it is;
 * - any other object: sent as `{"event":"result", ...object}`;
 * - any other value: sent as `{"event":"result","result":value}`;
 * - an async iterable (for example an `async function*`): each item is sent as a stream item
 *   (`done:false`; a string item becomes `{"event":"token","text":item}`), then a final
 *   `{"event":"token","text":"","done":true}` merged with the generator's return value.
 */
export type Handler<Args = Record<string, unknown>> = (args: Args, ctx: RequestContext) => unknown;

/** Server-side limits. Every field is optional; defaults in brackets. */
export interface ServerLimits {
  /**
   * Largest message, in bytes, in both directions [16 MiB]: a longer request is refused with a
   * `too_big` error carrying its id, and so is a reply that would be longer (the error replaces
   * it). Announced to clients in `subscribed`.
   */
  maxMessageBytes?: number;
  /** Largest binary frame after reassembly, in bytes [64 MiB]. */
  maxFrameBytes?: number;
  /**
   * Bytes that may wait for one client on top of one message of `maxMessageBytes` (so any message
   * up to the limit reaches any client); past it the client is dropped [8 MiB].
   */
  maxQueuedBytesPerClient?: number;
  /** Messages that may wait for one client before it is dropped [100000]. */
  maxQueuedMessagesPerClient?: number;
  /** A client whose waiting messages make no progress for this long is dropped, in ms [15000]. */
  maxStallMs?: number;
  /** Requests in flight per client, and for all unsubscribed senders together [256]. */
  maxInFlightPerClient?: number;
  /** Subscribers at once [1024]. */
  maxSubscribers?: number;
  /** How often client liveness is checked, in ms [250]. */
  livenessIntervalMs?: number;
  /**
   * How long after its first byte an unfinished line, fragmented message or binary frame on a
   * shared pipe is dropped, in ms; a live subscriber's is kept while it is still sending [5000].
   */
  staleMs?: number;
}

/** Options of {@link ToolServer}. */
export interface ToolServerOptions {
  /** Tool name: the upstream pipe is `<dir>/tool-<name>`. */
  name: string;
  /** One-line description (`get_description`). */
  description?: string;
  /** Help text (`get_help`). Wins over `helpFile`. */
  help?: string;
  /** Path of a Markdown file read at start for `get_help` (for example a HELP.md beside the server). */
  helpFile?: string | URL;
  /** Pipe directory [`$PIPE_TOOLS_DIR`, else /tmp]. */
  dir?: string;
  /** Name of the tool's own interface in `list_interfaces` [the tool name]. */
  interfaceName?: string;
  /** Description of the tool's own interface [the description]. */
  interfaceDescription?: string;
  /** Configuration reported by `get_config` (flattened into the reply). Never put secrets here. */
  config?: Record<string, unknown> | (() => Record<string, unknown>);
  /** State after start ["running"]. */
  initialState?: string;
  /** Stop gracefully on SIGINT and SIGTERM [true]. */
  handleSignals?: boolean;
  /** Where diagnostics go [stderr, prefixed with the tool name]. `null` silences them. */
  log?: ((line: string) => void) | null;
  /** Resource limits. */
  limits?: ServerLimits;
}
