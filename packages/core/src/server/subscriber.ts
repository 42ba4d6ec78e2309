/**
 * One subscribed client as the server sees it: its downstream writers, its private upstream
 * readers (protocol revision 2), and its requests in flight.
 */
import { encodeDownstreamFrame } from "../framing/binary.js";
import type { RequestId } from "../protocol/messages.js";
import type { ClientPaths } from "../transport/paths.js";
import type { FifoReader } from "../transport/reader.js";
import type { PipeWriter } from "../transport/writer.js";
import type { Sender } from "./types.js";

/** Why a subscriber was dropped. */
export type DropReason =
  "unsubscribed" | "gone" | "write-failed" | "stopping" | "replaced" | "refused";

/** Server-side state of one client. */
export class Subscriber implements Sender {
  readonly pid: number;
  readonly client: string | undefined;
  readonly key: string;
  readonly writer: PipeWriter;
  /** The client's pipe paths (its private upstreams exist only for our clients). */
  readonly paths: ClientPaths;
  dataWriter: PipeWriter | undefined;
  /** Id used on the shared data pipe to name this client (its pid for reference clients). */
  dataId: number | undefined;
  /** Reader of the client's private upstream pipe, when it offered one. */
  upstream: FifoReader | undefined;
  /** Reader of the client's private data upstream pipe, when it offered one. */
  dataUpstream: FifoReader | undefined;
  /** Requests in flight, each under a unique slot object. */
  readonly inFlight = new Map<object, { id: RequestId | undefined; abort: AbortController }>();

  constructor(init: {
    pid: number;
    client: string | undefined;
    key: string;
    writer: PipeWriter;
    paths: ClientPaths;
  }) {
    this.pid = init.pid;
    this.client = init.client;
    this.key = init.key;
    this.writer = init.writer;
    this.paths = init.paths;
  }

  /** Queues one encoded line. False when this client's pipe is dead or full. */
  sendLine(line: string | Buffer): boolean {
    return this.writer.write(line);
  }

  /** Queues one binary frame. False when there is no data channel or it is dead or full. */
  sendData(payload: Uint8Array): boolean {
    return this.dataWriter?.write(encodeDownstreamFrame(payload)) ?? false;
  }

  /** Aborts every request in flight. */
  abortAll(reason: string): void {
    for (const { abort } of this.inFlight.values()) abort.abort(new Error(reason));
    this.inFlight.clear();
  }

  /** Stops reading the private upstream pipes. */
  closeReaders(): void {
    this.upstream?.close();
    this.dataUpstream?.close();
    this.upstream = undefined;
    this.dataUpstream = undefined;
  }
}
