/**
 * Writes one request's messages to its caller's reply subject. Stream items that come in a
 * burst (the tool wrote many lines at once) leave together, as one NATS message holding a JSON
 * array (header `Npt-Batch`), sent at the end of the current turn of the event loop (so an item
 * is never held back longer than that). The final message leaves with the items before it. The first message names the gateway (`Npt-Gw`). A message larger than the NATS server's
 * `max_payload` is replaced by an `ETOOBIG` failure, so the caller is never left waiting.
 */
import type { MsgHdrs, NatsConnection } from "nats";
import { headers as newHeaders } from "nats";
import type { EventMessage } from "named-pipe-tools";
import { ACK_HEADER, BATCH_HEADER, FAIL_HEADER, GATEWAY_HEADER, replyHeaders } from "../wire.js";

/** Items gathered into one message at most (bytes of JSON); a bigger burst leaves in several. */
const BATCH_BYTES = 64 * 1024;

const encoder = new TextEncoder();

function withoutId(msg: EventMessage): EventMessage {
  if (msg.id === undefined) return msg;
  const { id: _id, ...rest } = msg;
  return rest;
}

/** The messages of one request, on their way to its caller. */
export class ReplyWriter {
  readonly #nc: NatsConnection;
  readonly #reply: string;
  readonly #gatewayId: string;
  #named = false;
  #batch: string[] = [];
  #bytes = 0;
  #flushing: NodeJS.Immediate | undefined;

  constructor(nc: NatsConnection, reply: string, gatewayId: string) {
    this.#nc = nc;
    this.#reply = reply;
    this.#gatewayId = gatewayId;
  }

  /** Whether anything (an acknowledgement included) has been sent. */
  get started(): boolean {
    return this.#named;
  }

  /** Says "running" (no payload), naming the gateway, unless something was sent already. */
  ack(): void {
    if (this.#named) return;
    const h = newHeaders();
    h.set(ACK_HEADER, "1");
    this.#send(undefined, h);
  }

  /** A stream item: batched with the items that follow it in the same turn of the event loop. */
  item(msg: EventMessage): void {
    const json = JSON.stringify(withoutId(msg));
    if (this.#bytes + json.length > BATCH_BYTES) this.flush();
    this.#batch.push(json);
    this.#bytes += json.length;
    this.#flushing ??= setImmediate(() => this.flush());
  }

  /** The final message (with any items still gathered before it). */
  final(msg: EventMessage): void {
    const out = withoutId(msg);
    if (this.#batch.length === 0) {
      this.#publishOne(out);
      return;
    }
    const json = JSON.stringify(out);
    if (this.#bytes + json.length > BATCH_BYTES) {
      this.flush();
      this.#publishOne(out);
      return;
    }
    this.#batch.push(json);
    this.#publishBatch(replyHeaders(out, undefined));
  }

  /** Sends the gathered items now. */
  flush(): void {
    if (this.#batch.length === 0) return;
    this.#publishBatch(undefined);
  }

  /** Ends the request with a failure of the exporting host (`Npt-Fail: code`). */
  fail(code: string, message: string): void {
    this.flush();
    const h = newHeaders();
    h.set(FAIL_HEADER, code);
    this.#send(encoder.encode(message), h);
  }

  #publishOne(msg: EventMessage): void {
    this.#publish(encoder.encode(JSON.stringify(msg)), replyHeaders(msg, undefined));
  }

  #publishBatch(h: MsgHdrs | undefined): void {
    clearImmediate(this.#flushing);
    this.#flushing = undefined;
    const items = this.#batch;
    this.#batch = [];
    this.#bytes = 0;
    if (items.length === 1) return this.#publish(encoder.encode(items[0]), h);
    const headers = h ?? newHeaders();
    headers.set(BATCH_HEADER, String(items.length));
    this.#publish(encoder.encode(`[${items.join(",")}]`), headers);
  }

  #publish(data: Uint8Array, h: MsgHdrs | undefined): void {
    const max = this.#nc.info?.max_payload;
    if (max !== undefined && data.length > max) {
      this.fail(
        "ETOOBIG",
        `a reply of ${data.length} bytes is over the NATS server's max_payload (${max} bytes)`,
      );
      return;
    }
    this.#send(data, h);
  }

  #send(data: Uint8Array | undefined, h: MsgHdrs | undefined): void {
    if (!this.#named) {
      const named = h ?? newHeaders();
      named.set(GATEWAY_HEADER, this.#gatewayId);
      h = named;
      this.#named = true;
    }
    this.#nc.publish(this.#reply, data, h === undefined ? undefined : { headers: h });
  }
}
