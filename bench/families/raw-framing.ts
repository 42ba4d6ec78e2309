/**
 * The framing a user would write by hand for the baselines (no code from our library): JSON
 * lines on a text stream, and `[u32 BE length][payload]` binary frames.
 */
import type { Readable } from "node:stream";

/** Calls `onLine` with each `\n`-terminated line read from `stream` (decoded as UTF-8). */
export function readLines(stream: Readable, onLine: (line: string) => void): void {
  let buf = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    let start = 0;
    let nl = chunk.indexOf("\n");
    if (nl === -1) {
      buf += chunk;
      return;
    }
    onLine(buf + chunk.slice(0, nl));
    buf = "";
    start = nl + 1;
    while ((nl = chunk.indexOf("\n", start)) !== -1) {
      onLine(chunk.slice(start, nl));
      start = nl + 1;
    }
    buf = chunk.slice(start);
  });
}

/** Calls `onFrame` with each length-prefixed binary frame read from `stream`. */
export function readFrames(stream: Readable, onFrame: (payload: Buffer) => void): void {
  let parts: Buffer[] = [];
  let have = 0;
  stream.on("data", (chunk: Buffer) => {
    parts.push(chunk);
    have += chunk.length;
    while (have >= 4) {
      let head = parts[0]!;
      if (head.length < 4) {
        head = Buffer.concat(parts, have);
        parts = [head];
      }
      const length = head.readUInt32BE(0);
      if (have < 4 + length) return;
      const all = parts.length === 1 ? head : Buffer.concat(parts, have);
      onFrame(all.subarray(4, 4 + length));
      const rest = all.subarray(4 + length);
      parts = rest.length > 0 ? [rest] : [];
      have = rest.length;
    }
  });
}

/** Encodes one binary frame. */
export function frame(payload: Buffer): Buffer {
  const head = Buffer.allocUnsafe(4);
  head.writeUInt32BE(payload.length, 0);
  return Buffer.concat([head, payload]);
}

/** A request/reply correlator over one ordered connection: one request in flight at a time. */
export class OneAtATime<T> {
  #waiting: ((value: T) => void) | undefined;

  /** Registers the waiter, runs `send`, and resolves with the next delivered value. */
  next(send: () => void): Promise<T> {
    return new Promise<T>((resolve) => {
      this.#waiting = resolve;
      send();
    });
  }

  /** Delivers a value to the waiter. */
  deliver(value: T): void {
    const w = this.#waiting;
    this.#waiting = undefined;
    w?.(value);
  }
}
