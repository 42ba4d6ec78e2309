/**
 * The client's FIFOs: its own downstream pipe (replies and broadcasts, read-only, so the
 * server's death is an end-of-file), the tool's shared upstream pipe (requests, written in atomic
 * pieces), and optionally the binary data pipes. See PROTOCOL.md.
 */
import { randomBytes, randomInt } from "node:crypto";
import { PipeToolError } from "../errors.js";
import { BinaryFrameDecoder, encodeUpstreamFrames } from "../framing/binary.js";
import { fragmentLine } from "../framing/fragments.js";
import { LineDecoder } from "../framing/lines.js";
import type { EventMessage } from "../protocol/messages.js";
import { causeCode, createFifo, openFifo, removeFifo } from "../transport/fifo.js";
import type { ClientPaths, ServerPaths } from "../transport/paths.js";
import { ATOMIC_WRITE_BYTES, clientPaths, serverPaths } from "../transport/paths.js";
import { FifoReader } from "../transport/reader.js";
import { PipeWriter } from "../transport/writer.js";
import { forgetPipes, rememberPipes } from "./exit-cleanup.js";
import type { ClientTransport, TransportListener } from "./transport.js";

/** Options of {@link FifoTransport}. */
export interface FifoTransportOptions {
  /** Open the binary data channel. */
  data: boolean;
  /** Largest reply line accepted, in bytes. */
  maxMessageBytes: number;
  /** Bytes queued toward the server before a send fails with `ETOOBIG`. */
  maxQueuedBytes: number;
  /** Talk to a server of the Python reference (pid-only pipe name, whole lines). */
  reference: boolean;
}

/** The FIFO transport of one client. */
export class FifoTransport implements ClientTransport {
  readonly name: string;
  readonly dir: string;
  /** This client's token (part of its pipe names; unused in reference mode). */
  readonly clientToken: string;
  readonly #opts: FifoTransportOptions;
  readonly #server: ServerPaths;
  readonly #own: ClientPaths;
  #listener: TransportListener | undefined;
  #reader: FifoReader | undefined;
  #writer: PipeWriter | undefined;
  #dataReader: FifoReader | undefined;
  #dataWriter: PipeWriter | undefined;
  #dataId: number | undefined;
  #dataParts: Buffer[] = [];
  #fragSeq = 0;
  #closed = false;

  constructor(name: string, dir: string, options: FifoTransportOptions) {
    this.name = name;
    this.dir = dir;
    this.clientToken = `c${randomBytes(6).toString("hex")}`;
    this.#opts = options;
    this.#server = serverPaths(name, dir);
    this.#own = clientPaths(
      name,
      dir,
      process.pid,
      options.reference ? undefined : this.clientToken,
    );
  }

  get hasData(): boolean {
    return this.#dataWriter !== undefined;
  }

  async start(listener: TransportListener): Promise<void> {
    this.#listener = listener;
    const lines = new LineDecoder({
      maxLineBytes: this.#opts.maxMessageBytes,
      onLine: (line) => this.#onLine(line),
      onOversize: ({ bytes }) =>
        listener.warning(`dropped a ${bytes}-byte message from the server: over the limit`),
    });
    rememberPipes(this.#ownPaths());
    await createFifo(this.#own.downstream);
    this.#reader = new FifoReader(await openFifo(this.#own.downstream, "read"), {
      onData: (chunk) => lines.push(chunk),
      onEnd: () => this.#lost(),
      onError: (err) => this.#lost(err),
    });
    try {
      this.#writer = new PipeWriter(await openFifo(this.#server.upstream, "write"), {
        atomic: !this.#opts.reference,
        overflow: "throw",
        maxQueuedBytes: this.#opts.maxQueuedBytes,
        onError: (err) => this.#lost(err),
      });
    } catch (err) {
      throw this.#noServer(err);
    }
    if (this.#opts.data) await this.#openData();
  }

  #noServer(err: unknown): unknown {
    const code = causeCode(err);
    if (code === "ENOENT") {
      return new PipeToolError(
        "ENOSERVER",
        `no server for tool '${this.name}': ${this.#server.upstream} does not exist. Is the server running?`,
      );
    }
    if (code === "ENXIO") {
      return new PipeToolError(
        "ENOSERVER",
        `no server for tool '${this.name}': ${this.#server.upstream} exists but nothing reads it (left by a server that died?)`,
      );
    }
    return err;
  }

  async #openData(): Promise<void> {
    this.#dataId = randomInt(0x80000000, 0xffffffff);
    await createFifo(this.#own.dataDownstream);
    const decoder = new BinaryFrameDecoder({
      withSender: false,
      maxFrameBytes: 256 * 1024 * 1024,
      onFrame: ({ payload, more }) => this.#onFrame(payload, more),
      onError: (err) => this.#listener?.warning(err.message),
    });
    this.#dataReader = new FifoReader(await openFifo(this.#own.dataDownstream, "read"), {
      onData: (chunk) => decoder.push(chunk),
    });
    this.#dataWriter = new PipeWriter(await openFifo(this.#server.dataUpstream, "write"), {
      atomic: true,
      overflow: "throw",
      maxQueuedBytes: this.#opts.maxQueuedBytes,
      onError: (err) => this.#lost(err),
    });
  }

  #ownPaths(): string[] {
    return [this.#own.downstream, this.#own.dataDownstream];
  }

  send(msg: Record<string, unknown>): void {
    const line = JSON.stringify(this.#address(msg));
    if (this.#opts.reference) {
      // The reference cannot join fragments: send the line whole, as its clients do.
      this.#writer!.write(Buffer.from(line + "\n"));
      return;
    }
    const sender = { pid: process.pid, client: this.clientToken };
    this.#writer!.write(fragmentLine(line, sender, String(++this.#fragSeq), ATOMIC_WRITE_BYTES));
  }

  /** The message with this client's address first, as the server routes replies by it. */
  #address(msg: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = { pid: process.pid };
    if (!this.#opts.reference) out["client"] = this.clientToken;
    return Object.assign(out, msg);
  }

  sendData(payload: Uint8Array): void {
    if (this.#dataWriter === undefined || this.#dataId === undefined) {
      throw new PipeToolError("EINVAL", "no data channel: connect with { data: true }");
    }
    this.#dataWriter.write(encodeUpstreamFrames(this.#dataId, payload, ATOMIC_WRITE_BYTES));
  }

  subscribeFields(): Record<string, unknown> {
    return this.#dataId === undefined ? {} : { data_id: this.#dataId };
  }

  async subscribed(_reply: EventMessage): Promise<void> {
    // Revision 1 negotiates nothing beyond the data channel, already open.
  }

  #onLine(line: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      return; // the server never sends this; a foreign writer might
    }
    if (typeof msg === "object" && msg !== null && !Array.isArray(msg)) {
      this.#listener?.message(msg as Record<string, unknown>);
    }
  }

  #onFrame(payload: Buffer, more: boolean): void {
    if (more || this.#dataParts.length > 0) {
      this.#dataParts.push(payload);
      if (more) return;
      payload = Buffer.concat(this.#dataParts);
      this.#dataParts = [];
    }
    this.#listener?.data(payload);
  }

  #lost(err?: Error): void {
    if (this.#closed) return;
    const detail = err === undefined ? "" : `: ${err.message}`;
    this.#listener?.lost(
      new PipeToolError(
        "ESERVERGONE",
        `tool '${this.name}' went away (server stopped, crashed, or dropped this client)${detail}`,
        { cause: err },
      ),
    );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#reader?.close();
    this.#dataReader?.close();
    await Promise.all([
      this.#writer?.close({ timeoutMs: 200 }),
      this.#dataWriter?.close({ timeoutMs: 200 }),
    ]);
    await Promise.all(this.#ownPaths().map((p) => removeFifo(p).catch(() => false)));
    forgetPipes(this.#ownPaths());
  }
}
