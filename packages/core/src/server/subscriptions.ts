/**
 * The server's subscribers: subscribing (with identity and safety checks), routing messages to
 * them, dropping them, and noticing the ones that died.
 */
import { encodeLine } from "../framing/lines.js";
import type { EventMessage, RequestId } from "../protocol/messages.js";
import { PROTOCOL_VERSION, WireErrorCode } from "../protocol/messages.js";
import { MY_UID, openFifo, removeFifo } from "../transport/fifo.js";
import { clientPaths } from "../transport/paths.js";
import { PipeWriter } from "../transport/writer.js";
import { errorFields, ours } from "./error-reply.js";
import { processUid } from "./identity.js";
import { makeEvent } from "./request.js";
import type { DropReason } from "./subscriber.js";
import { Subscriber } from "./subscriber.js";
import type { Sender } from "./types.js";

/** Options of {@link Subscriptions}. */
export interface SubscriptionsOptions {
  name: string;
  dir: string;
  maxSubscribers: number;
  maxQueuedBytesPerClient: number;
  log: (line: string) => void;
  /** True once the server is stopping (new subscribers are refused). */
  stopping: () => boolean;
  /** Called after a subscriber is removed, to forget its other state. */
  onDropped: (sub: Subscriber) => void;
}

/** The set of subscribed clients. */
export class Subscriptions {
  readonly #opts: SubscriptionsOptions;
  readonly #byKey = new Map<string, Subscriber>();
  readonly #byDataId = new Map<number, Subscriber>();

  constructor(options: SubscriptionsOptions) {
    this.#opts = options;
  }

  get size(): number {
    return this.#byKey.size;
  }

  /** The subscriber with routing key `key`. */
  get(key: string): Subscriber | undefined {
    return this.#byKey.get(key);
  }

  /** The subscriber whose data channel uses sender id `dataId`. */
  byDataId(dataId: number): Subscriber | undefined {
    return this.#byDataId.get(dataId);
  }

  all(): Subscriber[] {
    return [...this.#byKey.values()];
  }

  /** Sends one encoded line to every subscriber. */
  broadcastLine(line: Buffer): void {
    for (const sub of this.#byKey.values()) sub.sendLine(line);
  }

  /**
   * Sends a message to its addressee; a sender without a pid gets it broadcast (as in the
   * reference); an unsubscribed one gets nothing.
   */
  deliver(to: Sender, msg: EventMessage): void {
    if (to.pid === undefined) this.broadcastLine(encodeLine(msg));
    else this.#byKey.get(to.key)?.sendLine(encodeLine(msg));
  }

  /** Handles `subscribe`. Replies `subscribed`, or refuses (logged, and told when possible). */
  async subscribe(
    sender: Sender,
    msg: Record<string, unknown>,
    id: RequestId | undefined,
  ): Promise<void> {
    const { log } = this.#opts;
    if (sender.pid === undefined) {
      log("dropped a subscribe without a pid");
      return;
    }
    const existing = this.#byKey.get(sender.key);
    if (existing !== undefined) {
      // Re-subscribing reuses the open pipe instead of leaking a second fd.
      existing.sendLine(encodeLine(this.#subscribedEvent(existing, id)));
      return;
    }
    const paths = clientPaths(this.#opts.name, this.#opts.dir, sender.pid, sender.client);
    const refuse = async (message: string): Promise<void> => {
      log(`refused subscribe from ${sender.key}: ${message}`);
      await replyOnce(
        paths.downstream,
        makeEvent("error", errorFields(message, WireErrorCode.Refused, ours(sender, id)), id),
      );
    };
    if (this.#opts.stopping()) return refuse("server is stopping");
    if (this.#byKey.size >= this.#opts.maxSubscribers) {
      return refuse(`too many subscribers (limit ${this.#opts.maxSubscribers})`);
    }
    const uid = await processUid(sender.pid);
    if (uid === null) return log(`refused subscribe from ${sender.key}: no such process`);
    if (uid !== undefined && MY_UID >= 0 && uid !== MY_UID) {
      // Never answer: the downstream pipe may be read by that other user.
      return log(`refused subscribe from ${sender.key}: process belongs to uid ${uid}`);
    }
    let fd: number;
    try {
      fd = await openFifo(paths.downstream, "write");
    } catch (err) {
      log(`cannot reply to ${sender.key}: ${(err as Error).message}`);
      return;
    }
    if (this.#opts.stopping() || this.#byKey.has(sender.key)) {
      await new PipeWriter(fd).close({ flush: false });
      return;
    }
    const sub: Subscriber = new Subscriber({
      pid: sender.pid,
      client: sender.client,
      key: sender.key,
      downstreamPath: paths.downstream,
      writer: new PipeWriter(fd, {
        maxQueuedBytes: this.#opts.maxQueuedBytesPerClient,
        onError: (err) => {
          log(`dropping client ${sender.key}: ${err.message}`);
          void this.drop(sub, err.code === "ETOOBIG" ? "write-failed" : "gone");
        },
      }),
    });
    this.#byKey.set(sender.key, sub);
    await this.#openDataChannel(sub, msg["data_id"], paths.dataDownstream);
    sub.sendLine(encodeLine(this.#subscribedEvent(sub, id)));
  }

  #subscribedEvent(sub: Subscriber, id: RequestId | undefined): EventMessage {
    return makeEvent(
      "subscribed",
      { protocol: PROTOCOL_VERSION, data: sub.dataWriter !== undefined },
      id,
    );
  }

  async #openDataChannel(sub: Subscriber, rawDataId: unknown, path: string): Promise<void> {
    // Reference clients name themselves by pid on the data pipe; ours announce a data_id.
    const dataId = rawDataId === undefined && sub.client === undefined ? sub.pid : rawDataId;
    if (
      typeof dataId !== "number" ||
      !Number.isInteger(dataId) ||
      dataId <= 0 ||
      dataId > 0xffffffff
    )
      return;
    if (this.#byDataId.has(dataId)) return;
    let fd: number;
    try {
      fd = await openFifo(path, "write");
    } catch (err) {
      if (rawDataId !== undefined)
        this.#opts.log(`no data channel for ${sub.key}: ${(err as Error).message}`);
      return;
    }
    if (this.#byKey.get(sub.key) !== sub) {
      await new PipeWriter(fd).close({ flush: false });
      return;
    }
    sub.dataId = dataId;
    sub.dataPath = path;
    sub.dataWriter = new PipeWriter(fd, {
      maxQueuedBytes: this.#opts.maxQueuedBytesPerClient * 4,
      onError: (err) => {
        this.#opts.log(`dropping client ${sub.key}: data channel: ${err.message}`);
        void this.drop(sub, "write-failed");
      },
    });
    this.#byDataId.set(dataId, sub);
  }

  /** Removes a subscriber: aborts its requests, closes its pipes, and removes them if it died. */
  async drop(sub: Subscriber, reason: DropReason): Promise<void> {
    if (this.#byKey.get(sub.key) !== sub) return;
    this.#byKey.delete(sub.key);
    if (sub.dataId !== undefined && this.#byDataId.get(sub.dataId) === sub)
      this.#byDataId.delete(sub.dataId);
    this.#opts.onDropped(sub);
    sub.abortAll(reason === "stopping" ? "server stopping" : "client went away");
    const flush = reason === "unsubscribed" || reason === "stopping";
    await Promise.all([
      sub.writer.close({ flush, timeoutMs: 1000 }),
      sub.dataWriter?.close({ flush, timeoutMs: 1000 }),
    ]);
    if (reason === "gone") {
      // The client died without cleaning up: its pipes would otherwise be left behind.
      await removeFifo(sub.downstreamPath).catch(() => false);
      if (sub.dataPath !== undefined) await removeFifo(sub.dataPath).catch(() => false);
    }
  }

  /** Drops every subscriber whose process is gone. */
  checkLiveness(): void {
    for (const sub of this.#byKey.values()) {
      try {
        process.kill(sub.pid, 0);
      } catch {
        // ESRCH: it died. EPERM: the pid now belongs to another user's process.
        this.#opts.log(`client ${sub.key} is gone; dropping it`);
        void this.drop(sub, "gone");
      }
    }
  }
}

/** Sends one message to a client that is not subscribed (a refusal), then closes. */
async function replyOnce(path: string, msg: EventMessage): Promise<void> {
  try {
    const writer = new PipeWriter(await openFifo(path, "write"));
    writer.write(encodeLine(msg));
    await writer.close({ timeoutMs: 200 });
  } catch {
    // The client is not reading: nothing more we can tell it.
  }
}
