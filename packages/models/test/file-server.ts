/**
 * A local HTTP server for the download tests: serves byte strings by path with ETag, Range and
 * If-Range as real hosts do, records each request, and can break a transfer off mid-way.
 */
import type { ServerResponse } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestContext } from "node:test";

/** One request as the server saw it. */
export interface Seen {
  path: string;
  range: string | undefined;
  ifRange: string | undefined;
}

/** The running server. */
export interface FileServer {
  /** `http://127.0.0.1:PORT`. */
  base: string;
  requests: Seen[];
  /** Serves `body` at `path` (a new body gets a new ETag). */
  put(path: string, body: Buffer): void;
  /** The next GET of `path` sends only `bytes` bytes and holds the connection open... */
  breakAfter(path: string, bytes: number): void;
  /** ...until this drops it (call it once the client has the bytes). */
  drop(): void;
}

/** Starts a server, closed after the test. */
export async function startFileServer(t: TestContext): Promise<FileServer> {
  const files = new Map<string, { body: Buffer; etag: string }>();
  const breaks = new Map<string, number>();
  const requests: Seen[] = [];
  const held = new Set<ServerResponse>();
  let version = 0;
  const server = createServer((req, res) => {
    const path = req.url ?? "/";
    const range = req.headers.range;
    const ifRange = req.headers["if-range"] as string | undefined;
    requests.push({ path, range, ifRange });
    const file = files.get(path);
    if (file === undefined) {
      res.writeHead(404).end("not found");
      return;
    }
    let start = 0;
    const m = /^bytes=(\d+)-$/.exec(range ?? "");
    const rangeValid = m !== null && (ifRange === undefined || ifRange === file.etag);
    if (m !== null && rangeValid) {
      start = Number(m[1]);
      if (start >= file.body.length) {
        res.writeHead(416, { "content-range": `bytes */${file.body.length}` }).end();
        return;
      }
      res.writeHead(206, {
        etag: file.etag,
        "content-length": file.body.length - start,
        "content-range": `bytes ${start}-${file.body.length - 1}/${file.body.length}`,
      });
    } else {
      res.writeHead(200, { etag: file.etag, "content-length": file.body.length });
    }
    const cut = breaks.get(path);
    if (cut !== undefined) {
      breaks.delete(path);
      res.write(file.body.subarray(start, start + cut));
      held.add(res);
      return;
    }
    res.end(file.body.subarray(start));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    requests,
    put: (path, body) => files.set(path, { body, etag: `"v${++version}"` }),
    breakAfter: (path, bytes) => breaks.set(path, bytes),
    drop: () => {
      for (const res of held) res.socket?.destroy();
      held.clear();
    },
  };
}
