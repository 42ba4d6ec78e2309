/**
 * fifo-raw: the bare FIFO exchange in Node, without our library. Two private FIFOs per channel
 * (requests, replies), one server, one client. Reads are epoll-driven (a non-blocking fd in a
 * `net.Socket`); every message is one blocking `write(2)` (`fs.writeSync`): no queue, no
 * coalescing, no fragmenting, no ids beyond the JSON.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { readLines } from "./raw-framing.js";
import { answerLine, echoFrames, rawConn } from "./raw-peer.js";
import type { Conn, ConnectOptions, Family } from "./types.js";

const { O_RDWR, O_NONBLOCK } = fs.constants;
const PIPES = ["raw-req", "raw-rep", "raw-dreq", "raw-drep"] as const;

/** Opens a FIFO for epoll-driven reading (O_RDWR never blocks and never sees end-of-file). */
function reader(file: string): net.Socket {
  const fd = fs.openSync(file, O_RDWR | O_NONBLOCK);
  return new net.Socket({ fd, readable: true, writable: false });
}

/** Opens a FIFO for blocking writes; returns a function writing one whole message. */
function writer(file: string): { write: (bytes: string | Buffer) => void; fd: number } {
  const fd = fs.openSync(file, O_RDWR);
  const write = (bytes: string | Buffer): void => {
    const buf = typeof bytes === "string" ? Buffer.from(bytes) : bytes;
    let off = 0;
    while (off < buf.length) off += fs.writeSync(fd, buf, off);
  };
  return { write, fd };
}

async function serve(dir: string) {
  const [req, rep, dreq, drep] = PIPES.map((p) => path.join(dir, p)) as [
    string,
    string,
    string,
    string,
  ];
  execFileSync("mkfifo", ["-m", "600", req, rep, dreq, drep]);
  const replies = writer(rep);
  const input = reader(req);
  readLines(input, (line) => answerLine(line, replies.write));
  const data = reader(dreq);
  echoFrames(data, writer(drep).write);
  return {
    address: dir,
    async close() {
      input.destroy();
      data.destroy();
    },
  };
}

async function connect(dir: string, options: ConnectOptions): Promise<Conn> {
  const [req, rep, dreq, drep] = PIPES.map((p) => path.join(dir, p)) as [
    string,
    string,
    string,
    string,
  ];
  const input = reader(rep);
  const dataIn = options.data ? reader(drep) : undefined;
  return rawConn(
    { write: writer(req).write, input },
    dataIn && { write: writer(dreq).write, input: dataIn },
    async () => {
      input.destroy();
      dataIn?.destroy();
    },
  );
}

/** The bare FIFO exchange, our floor in Node. */
export const family: Family = { serve, connect };
