/**
 * Hand-written request handling for the baselines (fifo-raw, uds): the server side answers JSON
 * lines, the client side sends them and matches replies, one request at a time.
 */
import type { Readable } from "node:stream";
import { OneAtATime, frame, readFrames, readLines } from "./raw-framing.js";
import type { Conn } from "./types.js";

interface RawRequest {
  cmd: string;
  id: number;
  n?: number;
  data?: string;
}

/** Answers one request line; `send` writes one message (one write per message). */
export function answerLine(line: string, send: (text: string) => void): void {
  const req = JSON.parse(line) as RawRequest;
  const { id } = req;
  switch (req.cmd) {
    case "ping":
      send(`${JSON.stringify({ event: "pong", id })}\n`);
      return;
    case "count": {
      const n = req.n ?? 0;
      for (let i = 1; i <= n; i++) {
        send(`${JSON.stringify({ event: "token", text: String(i), id, done: false })}\n`);
      }
      send(`${JSON.stringify({ event: "token", text: "", id, done: true })}\n`);
      return;
    }
    case "echo":
      send(`${JSON.stringify({ event: "echo", data: req.data, id })}\n`);
      return;
    default:
      send(`${JSON.stringify({ event: "error", message: `unknown command ${req.cmd}`, id })}\n`);
  }
}

/** Echoes every binary frame read from `input` through `send`. */
export function echoFrames(input: Readable, send: (bytes: Buffer) => void): void {
  readFrames(input, (payload) => send(frame(payload)));
}

/** Client side of the JSON-lines exchange plus (optionally) a binary frame channel. */
export function rawConn(
  text: { write: (line: string) => void; input: Readable },
  binary: { write: (bytes: Buffer) => void; input: Readable } | undefined,
  close: () => Promise<void>,
): Conn {
  const replies = new OneAtATime<Record<string, unknown>>();
  let onMessage: (msg: Record<string, unknown>) => void = (msg) => replies.deliver(msg);
  readLines(text.input, (line) => onMessage(JSON.parse(line) as Record<string, unknown>));
  let nextId = 1;
  const request = async (fields: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const id = nextId++;
    const reply = await replies.next(() => text.write(`${JSON.stringify({ ...fields, id })}\n`));
    if (reply["id"] !== id) throw new Error(`reply to ${String(reply["id"])}, expected ${id}`);
    return reply;
  };
  const frames = new OneAtATime<Buffer>();
  if (binary !== undefined) readFrames(binary.input, (payload) => frames.deliver(payload));
  return {
    async ping() {
      await request({ cmd: "ping" });
    },
    stream(n) {
      return new Promise<number>((resolve) => {
        let events = 0;
        onMessage = (msg) => {
          if (msg["done"] === false) {
            events++;
            return;
          }
          onMessage = (m) => replies.deliver(m);
          resolve(events);
        };
        text.write(`${JSON.stringify({ cmd: "count", n, id: nextId++ })}\n`);
      });
    },
    async echoJson(data) {
      const reply = await request({ cmd: "echo", data });
      if ((reply["data"] as string).length !== data.length) throw new Error("bad echo");
    },
    ...(binary === undefined
      ? {}
      : {
          async echoBinary(payload: Buffer) {
            const echo = await frames.next(() => binary.write(frame(payload)));
            if (echo.length !== payload.length) throw new Error("bad binary echo");
          },
        }),
    close,
  };
}
