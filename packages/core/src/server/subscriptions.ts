/**
 * The server's subscribers: subscribing (with identity and safety checks, and the private
 * upstream pipes of protocol revision 2), routing messages to them, dropping them, and noticing
 * the ones that died or stopped reading.
 */
import type { EventMessage, RequestId } from "../protocol/messages.js";
import { PROTOCOL_VERSION, WireErrorCode } from "../protocol/messages.js";
import { MY_UID, openFifo, removeFifo } from "../transport/fifo.js";
import type { ClientPaths } from "../transport/paths.js";
import { clientPaths } from "../transport/paths.js";
import { FifoReader } from "../transport/reader.js";
import { PipeWriter } from "../transport/writer.js";
import { SpareDescriptor, outOfDescriptors, replyOnce } from "./client-pipes.js";
import { errorFields, ours } from "./error-reply.js";
import { processUid } from "./identity.js";
import { encodeEvent, makeEvent } from "./request.js";
import type { DropReason } from "./subscriber.js";
import { Subscriber } from "./subscriber.js";
import type { Sender } from "./types.js";

const OUT_OF_DESCRIPTORS = "the server is out of file descriptors; try again later";

/** Where the bytes of a subscriber's private upstream pipes go. */
export interface ChunkSink {
  /** Takes a chunk (text sinks copy what they keep; data sinks get buffers of their own). */
  push(chunk: Buffer): void;
}

/** Options of {@link Subscriptions}. */
export interface SubscriptionsOptions {
  name: string;
  dir: string;
  maxSubscribers: number;
  maxMessageBytes: number;
  maxFrameBytes: number;
  maxQueuedBytesPerClient: number;
  maxQueuedMessagesPerClient: number;
  maxStallMs: number;
  log: (line: string) => void;
  /** True once the server is stopping (new subscribers are refused). */
  stopping: () => boolean;
  /** Decoder of a subscriber's private upstream text pipe. */
  textSink: (sub: Subscriber) => ChunkSink;
  /** Decoder of a subscriber's private upstream data pipe. */
  dataSink: (sub: Subscriber) => ChunkSink;
  /** Called after a subscriber is removed, to forget its other state. */
  onDropped: (sub: Subscriber) => void;
}

/** The set of subscribed clients. */
export class Subscriptions {
  readonly #opts: SubscriptionsOptions;
  readonly #byKey = new Map<string, Subscriber>();
  readonly #byDataId = new Map<number, Subscriber>();
  readonly #spare = new SpareDescriptor();
  /** Subscribes under way: they hold a place, so the limit holds across their awaits. */
  #joining = 0;

  constructor(options: SubscriptionsOptions) {
    this.#opts = options;
  }

  get size(): number {
    return this.#byKey.size;
  }

  /** Takes the spare descriptor (when the server starts listening). */
  start(): void {
    this.#spare.hold();
  }

  /** Gives the spare descriptor back (when the server has stopped). */
  stop(): void {
    this.#spare.release();
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
  broadcastLine(line: string): void {
    for (const sub of this.#byKey.values()) sub.sendLine(line);
  }

  /**
   * Sends a message to its addressee; a sender without a pid gets it broadcast (as in the
   * reference); an unsubscribed one gets nothing. Returns false when the message could not go as
   * it is (too big, not serialisable) and an error reply went instead.
   */
  deliver(to: Sender, msg: EventMessage): boolean {
    const encoded = encodeEvent(msg, this.#opts.maxMessageBytes);
    if (encoded.replaced)
      this.#opts.log(
        `replaced a reply to ${to.key || "everyone"}: ${encoded.line.trim().slice(0, 300)}`,
      );
    if (to.pid === undefined) this.broadcastLine(encoded.line);
    else this.#byKey.get(to.key)?.sendLine(encoded.line);
    return !encoded.replaced;
  }

  /** Sends an encoded line as {@link deliver} sends a message. */
  sendLine(to: Sender, line: string): void {
    if (to.pid === undefined) this.broadcastLine(line);
    else this.#byKey.get(to.key)?.sendLine(line);
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
      existing.sendLine(this.#subscribedLine(existing, id));
      return;
    }
    const paths = clientPaths(this.#opts.name, this.#opts.dir, sender.pid, sender.client);
    const refusal = (message: string): string =>
      encodeEvent(
        makeEvent("error", errorFields(message, WireErrorCode.Refused, ours(sender, id)), id),
        Infinity,
      ).line;
    const refuse = async (message: string): Promise<void> => {
      log(`refused subscribe from ${sender.key}: ${message}`);
      await replyOnce(paths.downstream, refusal(message));
    };
    if (this.#opts.stopping()) return refuse("server is stopping");
    if (this.#byKey.size + this.#joining >= this.#opts.maxSubscribers) {
      return refuse(`too many subscribers (limit ${this.#opts.maxSubscribers})`);
    }
    this.#joining++;
    try {
      await this.#join(sender, sender.pid, msg, id, paths, refuse);
    } catch (err) {
      if (!outOfDescriptors(err)) throw err;
      const message = OUT_OF_DESCRIPTORS;
      log(`refused subscribe from ${sender.key}: ${message}`);
      await this.#spare.lend(() => replyOnce(paths.downstream, refusal(message)));
    } finally {
      this.#joining--;
    }
  }

  async #join(
    sender: Sender,
    pid: number,
    msg: Record<string, unknown>,
    id: RequestId | undefined,
    paths: ClientPaths,
    refuse: (message: string) => Promise<void>,
  ): Promise<void> {
    const { log } = this.#opts;
    const uid = await processUid(pid);
    if (uid === null) return log(`refused subscribe from ${sender.key}: no such process`);
    if (uid !== undefined && MY_UID >= 0 && uid !== MY_UID) {
      // Never answer: the downstream pipe may be read by that other user.
      return log(`refused subscribe from ${sender.key}: process belongs to uid ${uid}`);
    }
    let fd: number;
    try {
      fd = await openFifo(paths.downstream, "write");
    } catch (err) {
      if (outOfDescriptors(err)) throw err;
      log(`cannot reply to ${sender.key}: ${(err as Error).message}`);
      return;
    }
    if (this.#opts.stopping() || this.#byKey.has(sender.key)) {
      await new PipeWriter(fd).close({ flush: false });
      if (this.#opts.stopping()) await refuse("server is stopping");
      return;
    }
    const limits = this.#opts;
    const sub: Subscriber = new Subscriber({
      pid,
      client: sender.client,
      key: sender.key,
      paths,
      writer: new PipeWriter(fd, {
        // Any message up to the limit fits, with this much queued on top of it.
        maxQueuedBytes: limits.maxQueuedBytesPerClient + limits.maxMessageBytes,
        maxQueuedMessages: limits.maxQueuedMessagesPerClient,
        onError: (err) => {
          log(`dropping client ${sender.key}: ${err.message}`);
          void this.drop(sub, err.code === "ETOOBIG" ? "write-failed" : "gone");
        },
      }),
    });
    this.#byKey.set(sender.key, sub);
    const offered = msg["upstream"] === true && sender.client !== undefined;
    try {
      if (offered) await this.#openUpstream(sub);
      await this.#openDataChannel(sub, msg["data_id"], offered);
    } catch (err) {
      if (!outOfDescriptors(err)) {
        await this.drop(sub, "gone");
        throw err;
      }
      // Its downstream pipe is open: say why on it, then let it go.
      log(`refused subscribe from ${sender.key}: ${OUT_OF_DESCRIPTORS}`);
      const refusal = makeEvent(
        "error",
        { message: OUT_OF_DESCRIPTORS, code: WireErrorCode.Refused },
        id,
      );
      sub.sendLine(encodeEvent(refusal, Infinity).line);
      await this.drop(sub, "refused");
      return;
    }
    if (this.#byKey.get(sender.key) === sub) sub.sendLine(this.#subscribedLine(sub, id));
  }

  #subscribedLine(sub: Subscriber, id: RequestId | undefined): string {
    const fields: Record<string, unknown> = {
      protocol: PROTOCOL_VERSION,
      data: sub.dataWriter !== undefined,
    };
    if (sub.client !== undefined) {
      // Revision 2, for our clients (a reference client gets the reference's shape).
      fields["upstream"] = sub.upstream !== undefined;
      fields["data_upstream"] = sub.dataUpstream !== undefined;
      fields["max_message_bytes"] = this.#opts.maxMessageBytes;
      fields["max_frame_bytes"] = this.#opts.maxFrameBytes;
    }
    return encodeEvent(makeEvent("subscribed", fields, id), Infinity).line;
  }

  /**
   * Opens the client's private upstream pipe read-only: the client holds its only other end, so
   * its exit is an end-of-file here, and it is dropped at once.
   */
  async #openUpstream(sub: Subscriber): Promise<void> {
    let fd: number;
    try {
      fd = await openFifo(sub.paths.upstream, "read");
    } catch (err) {
      if (outOfDescriptors(err)) throw err;
      this.#opts.log(`no private upstream for ${sub.key}: ${(err as Error).message}`);
      return;
    }
    const sink = this.#opts.textSink(sub);
    sub.upstream = new FifoReader(fd, {
      onData: (chunk) => sink.push(chunk),
      onEnd: () => void this.drop(sub, "gone"),
      onError: (err) => this.#opts.log(`reading ${sub.key} failed: ${err.message}`),
    });
  }

  async #openDataChannel(sub: Subscriber, rawDataId: unknown, offered: boolean): Promise<void> {
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
      fd = await openFifo(sub.paths.dataDownstream, "write");
    } catch (err) {
      if (outOfDescriptors(err)) throw err;
      if (rawDataId !== undefined)
        this.#opts.log(`no data channel for ${sub.key}: ${(err as Error).message}`);
      return;
    }
    if (this.#byKey.get(sub.key) !== sub) {
      await new PipeWriter(fd).close({ flush: false });
      return;
    }
    sub.dataId = dataId;
    sub.dataWriter = new PipeWriter(fd, {
      maxQueuedBytes: this.#opts.maxQueuedBytesPerClient * 4 + this.#opts.maxFrameBytes,
      onError: (err) => {
        this.#opts.log(`dropping client ${sub.key}: data channel: ${err.message}`);
        void this.drop(sub, "write-failed");
      },
    });
    this.#byDataId.set(dataId, sub);
    if (!offered) return;
    let up: number;
    try {
      up = await openFifo(sub.paths.dataUpstream, "read");
    } catch (err) {
      if (outOfDescriptors(err)) throw err;
      return; // the client offered no private data pipe: it uses the shared one
    }
    const sink = this.#opts.dataSink(sub);
    sub.dataUpstream = new FifoReader(
      up,
      {
        onData: (chunk) => sink.push(chunk),
        onEnd: () => void this.drop(sub, "gone"),
        onError: (err) => this.#opts.log(`reading ${sub.key}'s data failed: ${err.message}`),
      },
      { fresh: true },
    );
  }

  /**
   * Removes a subscriber: aborts its requests, closes its pipes, and, unless it left on its own
   * (unsubscribed) or the server is stopping, removes its pipes: a client that died, or that was
   * dropped for not reading, would otherwise leave them behind.
   */
  async drop(sub: Subscriber, reason: DropReason): Promise<void> {
    if (this.#byKey.get(sub.key) !== sub) return;
    this.#byKey.delete(sub.key);
    if (sub.dataId !== undefined && this.#byDataId.get(sub.dataId) === sub)
      this.#byDataId.delete(sub.dataId);
    sub.closeReaders();
    this.#opts.onDropped(sub);
    sub.abortAll(reason === "stopping" ? "server stopping" : "client went away");
    const flush = reason === "unsubscribed" || reason === "stopping" || reason === "refused";
    await Promise.all([
      sub.writer.close({ flush, timeoutMs: 1000 }),
      sub.dataWriter?.close({ flush, timeoutMs: 1000 }),
    ]);
    if (reason === "gone" || reason === "write-failed") {
      const { downstream, upstream, dataDownstream, dataUpstream } = sub.paths;
      const paths = [downstream, upstream, dataDownstream, dataUpstream];
      await Promise.all(paths.map((p) => removeFifo(p).catch(() => false)));
    }
  }

  /** Drops every subscriber whose process is gone, or whose queue has not moved for too long. */
  checkLiveness(now = Date.now()): void {
    for (const sub of this.#byKey.values()) {
      try {
        process.kill(sub.pid, 0);
      } catch {
        // ESRCH: it died. EPERM: the pid now belongs to another user's process.
        this.#opts.log(`client ${sub.key} is gone; dropping it`);
        void this.drop(sub, "gone");
        continue;
      }
      const stalled = Math.max(sub.writer.stalledMs(now), sub.dataWriter?.stalledMs(now) ?? 0);
      if (stalled > this.#opts.maxStallMs) {
        const waiting = sub.writer.queuedBytes + (sub.dataWriter?.queuedBytes ?? 0);
        this.#opts.log(
          `dropping client ${sub.key}: reader is not keeping up: nothing read for ${stalled} ms with ${waiting} bytes waiting`,
        );
        void this.drop(sub, "write-failed");
      }
    }
  }
}
