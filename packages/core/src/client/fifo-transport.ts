/**
 * The client's FIFOs (see PROTOCOL.md):
 * - its downstream pipe (replies and broadcasts), read-only, so the server's death is an
 *   end-of-file;
 * - its private upstream pipe (protocol revision 2), offered in `subscribe`: once the server
 *   accepts, every request goes there whole, and this client's exit is an end-of-file for the
 *   server. Until then, and with servers that do not accept, requests go on the tool's shared
 *   upstream pipe in atomic pieces (fragments);
 * - optionally the binary data pipes, private or shared in the same way.
 */
import { PipeToolError } from "../errors.js";
import {
  BinaryFrameDecoder,
  FrameJoiner,
  encodeDownstreamFrame,
  encodeUpstreamFrames,
} from "../framing/binary.js";
import { fragmentLine } from "../framing/fragments.js";
import { LineDecoder } from "../framing/lines.js";
import { RAISE_CLIENT_MESSAGES, RAISE_SERVER_MESSAGES, tooBig } from "../protocol/limits.js";
import type { EventMessage } from "../protocol/messages.js";
import { idFromHead, isRecord } from "../protocol/messages.js";
import { causeCode, createFifos, openFifo, removeFifo } from "../transport/fifo.js";
import type { ClientPaths, ServerPaths } from "../transport/paths.js";
import { ATOMIC_WRITE_BYTES, clientPaths, serverPaths } from "../transport/paths.js";
import { randomBytes, randomInt } from "../transport/random.js";
import { FifoReader } from "../transport/reader.js";
import { PipeWriter } from "../transport/writer.js";
import { forgetPipes, rememberPipes } from "./exit-cleanup.js";
import type { ClientTransport, TransportListener } from "./transport.js";

/** Options of {@link FifoTransport}. */
export interface FifoTransportOptions {
  /** Open the binary data channel. */
  data: boolean;
  /**
   * Largest reply line accepted, in bytes; undefined: 64 MiB, or the server's own limit when it
   * announces a larger one.
   */
  maxMessageBytes: number | undefined;
  /** Bytes queued toward the server before a send fails with `ETOOBIG`. */
  maxQueuedBytes: number;
  /** Talk to a server of the Python reference (pid-only pipe name, whole lines). */
  reference: boolean;
  /** `"shared"`: never offer a private upstream (revision 1 behaviour). */
  upstream: "private" | "shared";
}

const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** The FIFO transport of one client. */
export class FifoTransport implements ClientTransport {
  readonly name: string;
  readonly dir: string;
  /** This client's token (part of its pipe names; unused in reference mode). */
  readonly clientToken: string;
  readonly #opts: FifoTransportOptions;
  readonly #server: ServerPaths;
  readonly #own: ClientPaths;
  readonly #offer: boolean;
  #listener: TransportListener | undefined;
  #lines: LineDecoder | undefined;
  #reader: FifoReader | undefined;
  #dataReader: FifoReader | undefined;
  /** Where requests go now: the shared upstream (atomic pieces) or the private one (whole). */
  #writer: PipeWriter | undefined;
  #private = false;
  #dataWriter: PipeWriter | undefined;
  #privateData = false;
  /** Write ends of the private pipes, opened before the offer, kept if the server accepts. */
  #privateUp: number | undefined;
  #privateDataUp: number | undefined;
  #dataId: number | undefined;
  #fragSeq = 0;
  /** Fragment ids of messages sent in pieces, to the request ids they carried. */
  readonly #fragIds = new Map<string, unknown>();
  #serverMax: number | undefined;
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
    this.#offer = !options.reference && options.upstream === "private";
  }

  get hasData(): boolean {
    return this.#dataWriter !== undefined;
  }

  /** Whether requests travel on this client's private upstream pipe (protocol revision 2). */
  get privateUpstream(): boolean {
    return this.#private;
  }

  async start(listener: TransportListener): Promise<void> {
    this.#listener = listener;
    const max = this.#opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    this.#lines = new LineDecoder({
      maxLineBytes: max,
      onLine: (line) => this.#onLine(line),
      onOversize: ({ bytes, head }) => this.#onOversize(bytes, head),
    });
    const lines = this.#lines;
    // The server's pipe first: without a server, fail at once and make nothing.
    try {
      this.#writer = this.#sharedWriter(await openFifo(this.#server.upstream, "write"));
    } catch (err) {
      throw this.#noServer(err);
    }
    const made = this.#ownPaths();
    rememberPipes(made);
    await createFifos(made);
    this.#reader = new FifoReader(await openFifo(this.#own.downstream, "read"), {
      onData: (chunk) => lines.push(chunk),
      onEnd: () => this.#lost(),
      onError: (err) => this.#lost(err),
    });
    if (this.#offer) {
      // Opened read-write: never blocks, and the server's read-only open then has a writer.
      this.#privateUp = await openFifo(this.#own.upstream, "readwrite");
      if (this.#opts.data)
        this.#privateDataUp = await openFifo(this.#own.dataUpstream, "readwrite");
    }
    if (this.#opts.data) await this.#openDataDownstream();
  }

  #sharedWriter(fd: number): PipeWriter {
    return new PipeWriter(fd, {
      atomic: !this.#opts.reference,
      overflow: "throw",
      maxQueuedBytes: this.#opts.maxQueuedBytes,
      onError: (err) => this.#lost(err),
    });
  }

  #privateWriter(fd: number): PipeWriter {
    return new PipeWriter(fd, {
      overflow: "throw",
      maxQueuedBytes: this.#opts.maxQueuedBytes,
      onError: (err) => this.#lost(err),
    });
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

  async #openDataDownstream(): Promise<void> {
    this.#dataId = randomInt(0x80000000, 0xffffffff);
    const joiner = new FrameJoiner(256 * 1024 * 1024);
    const decoder = new BinaryFrameDecoder({
      withSender: false,
      maxFrameBytes: 256 * 1024 * 1024,
      onFrame: ({ payload, more }) => {
        const whole = joiner.add(payload, more);
        if (whole instanceof Error) this.#listener?.warning(whole.message);
        else if (whole !== undefined) this.#listener?.data(whole);
      },
      onError: (err) => this.#listener?.warning(err.message),
    });
    this.#dataReader = new FifoReader(
      await openFifo(this.#own.dataDownstream, "read"),
      { onData: (chunk) => decoder.push(chunk) },
      { fresh: true },
    );
  }

  /** Every pipe this client makes (and removes). */
  #ownPaths(): string[] {
    const paths = [this.#own.downstream];
    if (this.#offer) paths.push(this.#own.upstream);
    if (this.#opts.data) paths.push(this.#own.dataDownstream);
    if (this.#offer && this.#opts.data) paths.push(this.#own.dataUpstream);
    return paths;
  }

  send(msg: Record<string, unknown>): void {
    if (this.#private) {
      const line = JSON.stringify(msg) + "\n";
      this.#checkSize(line, msg);
      this.#writer!.write(line);
      return;
    }
    const line = JSON.stringify(this.#address(msg));
    this.#checkSize(line, msg);
    if (this.#opts.reference) {
      // The reference cannot join fragments: send the line whole, as its clients do.
      this.#writer!.write(line + "\n");
      return;
    }
    const frag = String(++this.#fragSeq);
    const pieces = fragmentLine(
      line,
      { pid: process.pid, client: this.clientToken },
      frag,
      ATOMIC_WRITE_BYTES,
    );
    if (pieces.length > 1 && msg["id"] !== undefined) {
      if (this.#fragIds.size >= 4096) this.#fragIds.clear();
      this.#fragIds.set(frag, msg["id"]);
    }
    this.#writer!.write(pieces);
  }

  /** Refuses at once a message the server announced it would refuse. */
  #checkSize(line: string, msg: Record<string, unknown>): void {
    const max = this.#serverMax;
    if (max === undefined || line.length * 3 <= max) return;
    const bytes = Buffer.byteLength(line);
    if (bytes > max) {
      const what = typeof msg["cmd"] === "string" ? `request '${msg["cmd"]}'` : "request";
      throw new PipeToolError("ETOOBIG", `${what} ${tooBig(bytes, max, RAISE_SERVER_MESSAGES)}`);
    }
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
    if (this.#privateData) this.#dataWriter.write(encodeDownstreamFrame(payload));
    else this.#dataWriter.write(encodeUpstreamFrames(this.#dataId, payload, ATOMIC_WRITE_BYTES));
  }

  subscribeFields(): Record<string, unknown> {
    const fields: Record<string, unknown> = {};
    if (this.#dataId !== undefined) fields["data_id"] = this.#dataId;
    if (this.#offer) fields["upstream"] = true;
    return fields;
  }

  async subscribed(reply: EventMessage): Promise<void> {
    const max = reply["max_message_bytes"];
    if (typeof max === "number" && Number.isSafeInteger(max) && max > 0) {
      this.#serverMax = max;
      if (this.#opts.maxMessageBytes === undefined && max > DEFAULT_MAX_MESSAGE_BYTES) {
        this.#lines?.setLimit(max);
      }
    }
    if (reply["upstream"] === true && this.#privateUp !== undefined) {
      const shared = this.#writer;
      this.#writer = this.#privateWriter(this.#privateUp);
      this.#private = true;
      this.#privateUp = undefined;
      await shared?.close({ timeoutMs: 200 });
    }
    if (this.#opts.data) {
      if (reply["data_upstream"] === true && this.#privateDataUp !== undefined) {
        this.#dataWriter = this.#privateWriter(this.#privateDataUp);
        this.#privateData = true;
        this.#privateDataUp = undefined;
      } else {
        this.#dataWriter = this.#sharedWriter(await openFifo(this.#server.dataUpstream, "write"));
      }
    }
    await this.#discardUnused();
  }

  /** Closes and removes the private pipes the server did not take. */
  async #discardUnused(): Promise<void> {
    const unused: string[] = [];
    if (this.#privateUp !== undefined) {
      await new PipeWriter(this.#privateUp).close({ flush: false });
      this.#privateUp = undefined;
      unused.push(this.#own.upstream);
    }
    if (this.#privateDataUp !== undefined) {
      await new PipeWriter(this.#privateDataUp).close({ flush: false });
      this.#privateDataUp = undefined;
      unused.push(this.#own.dataUpstream);
    }
    await Promise.all(unused.map((p) => removeFifo(p).catch(() => false)));
  }

  #onLine(line: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      return; // the server never sends this; a foreign writer might
    }
    if (!isRecord(msg)) return;
    if (msg["id"] === undefined && typeof msg["frag"] === "string") {
      // An error about a message sent in pieces: it answers the request those pieces carried.
      const id = this.#fragIds.get(msg["frag"]);
      if (id !== undefined) msg["id"] = id;
    }
    this.#listener?.message(msg);
  }

  #onOversize(bytes: number, head: string): void {
    const limit = this.#lines?.limit ?? 0;
    const message = `reply ${tooBig(bytes, limit, RAISE_CLIENT_MESSAGES)}`;
    const id = idFromHead(head);
    if (id !== undefined) this.#listener?.fail(id, new PipeToolError("ETOOBIG", message));
    else this.#listener?.warning(`dropped a message from the server: ${message}`);
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
      this.#discardUnused(),
    ]);
    const made = this.#ownPaths();
    await Promise.all(made.map((p) => removeFifo(p).catch(() => false)));
    forgetPipes(made);
  }
}
