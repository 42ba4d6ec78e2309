/**
 * Binary frames from remote callers to an exported tool. Each remote sender gets a local
 * ToolClient of its own (with a data channel), so the tool sees every remote sender as a
 * separate client, as it would on one machine (an STT server runs one voice detector per
 * client, for example), and that sender's later requests go through the same client (so
 * per-client settings such as STT's `audio_format` apply to its audio). Frames the tool sends
 * to that client go to `<p>.frames.<tool>.<sender>` (the first message there, `Npt-Ready`,
 * tells the sender to take its frames from there from then on). A sender silent for a while
 * is closed.
 */
import type { Msg, MsgHdrs, NatsConnection } from "nats";
import { ToolClient } from "named-pipe-tools";
import { READY_HEADER, SENDER_HEADER, oneHeader } from "../wire.js";

/** A sender silent this long is closed, in ms. */
const IDLE_MS = 60_000;
/** Most remote senders held at once per tool; frames from more are dropped. */
const MAX_SENDERS = 256;
const TOKEN_RE = /^[A-Za-z0-9_-]{1,64}$/;

interface Sender {
  client: ToolClient | undefined;
  /** Frames that came while connecting. */
  queued: Uint8Array[];
  last: number;
}

/** The remote senders of one exported tool. */
export class DataSenders {
  readonly #tool: string;
  readonly #dir: string;
  readonly #log: (line: string) => void;
  readonly #nc: NatsConnection;
  readonly #frames: string;
  readonly #senders = new Map<string, Sender>();
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  /** `frames`: the tool's frames subject (a sender's own is below it). */
  constructor(
    nc: NatsConnection,
    tool: string,
    frames: string,
    dir: string,
    log: (line: string) => void,
  ) {
    this.#nc = nc;
    this.#tool = tool;
    this.#frames = frames;
    this.#dir = dir;
    this.#log = log;
  }

  /** The local client of the sender a request names (`Npt-Sender`), when it has one. */
  clientFor(headers: MsgHdrs | undefined): ToolClient | undefined {
    const token = headers?.get(SENDER_HEADER);
    return token === undefined ? undefined : this.#senders.get(token)?.client;
  }

  /** Forwards one frame to the tool through its sender's local client. */
  push(m: Msg): void {
    const token = m.headers?.get(SENDER_HEADER) ?? "";
    if (this.#closed || !TOKEN_RE.test(token)) return;
    let sender = this.#senders.get(token);
    if (sender === undefined) {
      if (this.#senders.size >= MAX_SENDERS) {
        this.#log(`${this.#tool}: dropped a frame from a new remote sender (too many senders)`);
        return;
      }
      sender = { client: undefined, queued: [], last: Date.now() };
      this.#senders.set(token, sender);
      void this.#open(token, sender);
      this.#sweepLater();
    }
    sender.last = Date.now();
    if (sender.client === undefined) sender.queued.push(m.data);
    else this.#send(token, sender.client, m.data);
  }

  async #open(token: string, sender: Sender): Promise<void> {
    try {
      const client = await ToolClient.connect(this.#tool, { dir: this.#dir, data: true });
      if (this.#closed || this.#senders.get(token) !== sender) {
        await client.close();
        return;
      }
      sender.client = client;
      const own = `${this.#frames}.${token}`;
      this.#nc.publish(own, undefined, { headers: oneHeader(READY_HEADER, "1") });
      client.onData((payload) => this.#nc.publish(own, payload));
      for (const frame of sender.queued.splice(0)) this.#send(token, client, frame);
      void client.closed.then(() => {
        if (this.#senders.get(token) === sender) this.#senders.delete(token);
      });
    } catch (err) {
      this.#senders.delete(token);
      this.#log(
        `${this.#tool}: cannot open a data channel for a remote sender: ${(err as Error).message}`,
      );
    }
  }

  #send(token: string, client: ToolClient, frame: Uint8Array): void {
    try {
      client.sendData(frame);
    } catch (err) {
      this.#log(
        `${this.#tool}: frame from remote sender ${token} dropped: ${(err as Error).message}`,
      );
    }
  }

  #sweepLater(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      const now = Date.now();
      for (const [token, sender] of this.#senders) {
        if (now - sender.last < IDLE_MS) continue;
        this.#senders.delete(token);
        void sender.client?.close();
      }
      if (this.#senders.size === 0) {
        clearInterval(this.#timer);
        this.#timer = undefined;
      }
    }, IDLE_MS / 4);
    this.#timer.unref();
  }

  /** Closes every sender's local client. */
  async closeAll(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    const clients = [...this.#senders.values()].map((s) => s.client);
    this.#senders.clear();
    await Promise.all(clients.map((c) => c?.close() ?? Promise.resolve()));
  }
}
