/**
 * http: a local HTTP/1.1 server on loopback. `POST /call` answers a small JSON request (the
 * client keeps its connection alive); `GET /events?n=N` streams N Server-Sent Events.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Conn, Family } from "./types.js";

function readBody(stream: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => (body += chunk));
    stream.on("end", () => resolve(body));
    stream.on("error", reject);
  });
}

async function serve(_dir: string) {
  const server = http.createServer({ keepAliveTimeout: 60_000, noDelay: true }, (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (req.method === "POST" && url.pathname === "/call") {
      void readBody(req).then((body) => {
        const { cmd, id } = JSON.parse(body) as { cmd: string; id: number };
        const reply = cmd === "ping" ? { event: "pong", id } : { event: "error", id };
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(reply));
      });
      return;
    }
    if (req.method === "GET" && url.pathname === "/events") {
      const n = Number(url.searchParams.get("n") ?? "0");
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      for (let i = 1; i <= n; i++) {
        res.write(`data: ${JSON.stringify({ event: "token", text: String(i), done: false })}\n\n`);
      }
      res.end(`data: ${JSON.stringify({ event: "token", text: "", done: true })}\n\n`);
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      server.close();
    },
  };
}

async function connect(base: string): Promise<Conn> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let nextId = 1;
  const call = (body: Record<string, unknown>): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const req = http.request(`${base}/call`, {
        method: "POST",
        agent,
        headers: { "content-type": "application/json" },
      });
      req.on("response", (res) => {
        readBody(res).then((text) => resolve(JSON.parse(text) as Record<string, unknown>), reject);
      });
      req.on("error", reject);
      req.end(JSON.stringify(body));
    });
  return {
    async ping() {
      const id = nextId++;
      const reply = await call({ cmd: "ping", id });
      if (reply["id"] !== id) throw new Error("bad reply");
    },
    stream(n) {
      return new Promise<number>((resolve, reject) => {
        const req = http.get(`${base}/events?n=${n}`, { agent }, (res) => {
          let events = 0;
          let buf = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => {
            buf += chunk;
            let start = 0;
            let end: number;
            while ((end = buf.indexOf("\n\n", start)) !== -1) {
              const msg = JSON.parse(buf.slice(start + 6, end)) as { done: boolean };
              if (!msg.done) events++;
              start = end + 2;
            }
            buf = buf.slice(start);
          });
          res.on("end", () => resolve(events));
          res.on("error", reject);
        });
        req.on("error", reject);
      });
    },
    async close() {
      agent.destroy();
    },
  };
}

/** HTTP/1.1 with keep-alive, and Server-Sent Events for streams. */
export const family: Family = { serve, connect };
