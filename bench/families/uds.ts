/**
 * uds: a Node Unix-domain-socket server speaking JSON lines (plus a second socket for binary
 * frames), written the ordinary way: `net.createServer`, one `socket.write` per message.
 * Serves any number of clients.
 */
import net from "node:net";
import path from "node:path";
import { readLines } from "./raw-framing.js";
import { answerLine, echoFrames, rawConn } from "./raw-peer.js";
import type { Conn, ConnectOptions, Family } from "./types.js";

function listen(server: net.Server, file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(file, () => resolve());
  });
}

function dial(file: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(file, () => resolve(socket));
    socket.once("error", reject);
  });
}

async function serve(dir: string) {
  const text = net.createServer((socket) => {
    socket.on("error", () => socket.destroy());
    readLines(socket, (line) => answerLine(line, (msg) => socket.write(msg)));
  });
  const data = net.createServer((socket) => {
    socket.on("error", () => socket.destroy());
    echoFrames(socket, (bytes) => socket.write(bytes));
  });
  await listen(text, path.join(dir, "bench.sock"));
  await listen(data, path.join(dir, "bench-data.sock"));
  return {
    address: dir,
    async close() {
      text.close();
      data.close();
    },
  };
}

async function connect(dir: string, options: ConnectOptions): Promise<Conn> {
  const text = await dial(path.join(dir, "bench.sock"));
  const data = options.data ? await dial(path.join(dir, "bench-data.sock")) : undefined;
  return rawConn(
    { write: (line) => text.write(line), input: text },
    data && { write: (bytes) => data.write(bytes), input: data },
    async () => {
      text.destroy();
      data?.destroy();
    },
  );
}

/** Unix domain sockets, what a Node developer would reach for first. */
export const family: Family = { serve, connect };
