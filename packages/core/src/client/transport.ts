/**
 * The boundary between a client session (request ids, pending calls, timeouts, cancel, streams,
 * events: `ToolClient`) and whatever carries its messages (the FIFOs of `FifoTransport`, an
 * in-memory pair in tests, another bus later). A transport moves whole messages and binary
 * frames; it knows nothing of ids or calls.
 */
import type { PipeToolError } from "../errors.js";
import type { EventMessage, RequestId } from "../protocol/messages.js";

/** What a transport tells its session. Set once by {@link ClientTransport.start}. */
export interface TransportListener {
  /** One message from the server: a parsed JSON object (not yet checked for `event`). */
  message(msg: Record<string, unknown>): void;
  /** One binary frame from the server's data channel. */
  data(payload: Buffer): void;
  /** The request `id` cannot complete (for example: its reply was too big to accept). */
  fail(id: RequestId, err: PipeToolError): void;
  /**
   * Something was lost without ending the connection (an oversized message dropped, a corrupt
   * frame); the session reports it as an `error` event.
   */
  warning(message: string): void;
  /**
   * The connection ended by itself: the server went away, or a pipe failed. Called at most once,
   * never after {@link ClientTransport.close}.
   */
  lost(err: PipeToolError): void;
}

/**
 * A client-side transport: an ordered, reliable path for request messages to one server and for
 * its replies and broadcasts back. Every method but `start`, `subscribed` and `close` is
 * synchronous, so a session can send without a promise per message.
 */
export interface ClientTransport {
  /** The tool's name. */
  readonly name: string;
  /** Whether a binary data channel is open. */
  readonly hasData: boolean;
  /**
   * Opens the transport and starts delivering to `listener`. Rejects with `ENOSERVER` when no
   * server is there.
   */
  start(listener: TransportListener): Promise<void>;
  /**
   * Sends one request (a JSON object the session built: `cmd`, its arguments, maybe `id`). The
   * transport adds its own addressing. Throws `ETOOBIG` when the message cannot be queued (the
   * transport stays usable), or the error that ended the connection.
   */
  send(msg: Record<string, unknown>): void;
  /** Sends one binary frame. Throws `EINVAL` when there is no data channel. */
  sendData(payload: Uint8Array): void;
  /** Fields the `subscribe` request carries for this transport (for example `data_id`). */
  subscribeFields(): Record<string, unknown>;
  /** Sees the server's `subscribed` reply (it may accept something offered in `subscribeFields`). */
  subscribed(reply: EventMessage): Promise<void>;
  /** Closes, removing what the transport created; queued messages get a short time to leave. */
  close(): Promise<void>;
}
