/**
 * An in-memory transport for unit tests of the client session: what the session sends is handed
 * to a scripted server function, which answers through `reply`, `broadcast`, `lose`. No FIFO,
 * no process.
 */
import type { ClientTransport, EventMessage, TransportListener } from "../../src/index.js";
import { PipeToolError } from "../../src/index.js";

/** A scripted server: gets each request and the transport to answer on. */
export type Script = (msg: Record<string, unknown>, t: MemoryTransport) => void;

/** The default script: subscribe and ping are answered, everything else is left pending. */
export const basics: Script = (msg, t) => {
  if (msg["cmd"] === "subscribe") t.reply(msg, { event: "subscribed", protocol: 1 });
  else if (msg["cmd"] === "ping") t.reply(msg, { event: "pong" });
  else if (msg["cmd"] === "unsubscribe") t.reply(msg, { event: "ok" });
};

/** One end of an in-memory connection, driven by a {@link Script}. */
export class MemoryTransport implements ClientTransport {
  readonly name: string;
  readonly hasData = false;
  /** Every message the session sent, in order. */
  readonly sent: Record<string, unknown>[] = [];
  closed = false;
  #listener: TransportListener | undefined;
  readonly #script: Script;

  constructor(name: string, script: Script = basics) {
    this.name = name;
    this.#script = script;
  }

  async start(listener: TransportListener): Promise<void> {
    this.#listener = listener;
  }

  send(msg: Record<string, unknown>): void {
    if (this.closed) throw new PipeToolError("ECLOSED", "closed");
    this.sent.push(msg);
    // Answers arrive later, as they would from another process.
    queueMicrotask(() => this.#script(msg, this));
  }

  sendData(): void {
    throw new PipeToolError("EINVAL", "no data channel");
  }

  subscribeFields(): Record<string, unknown> {
    return {};
  }

  async subscribed(_reply: EventMessage): Promise<void> {}

  async close(): Promise<void> {
    this.closed = true;
  }

  /** Sends `fields` as the answer to `request` (with its id, when it had one). */
  reply(request: Record<string, unknown>, fields: Record<string, unknown>): void {
    const id = request["id"];
    this.#listener?.message(id === undefined ? fields : { ...fields, id });
  }

  /** Delivers any message, as a broadcast would arrive. */
  deliver(msg: Record<string, unknown>): void {
    this.#listener?.message(msg);
  }

  /** Ends the connection as a server crash would. */
  lose(): void {
    this.#listener?.lost(new PipeToolError("ESERVERGONE", "gone"));
  }
}
