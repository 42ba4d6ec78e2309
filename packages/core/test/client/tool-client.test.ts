import assert from "node:assert/strict";
import path from "node:path";
import type { TestContext } from "node:test";
import { test } from "node:test";
import { ToolClient, ToolServer } from "../../src/index.js";
import { createDemoServer } from "../../src/demo/index.js";
import { createFifo } from "../../src/transport/fifo.js";
import { entries, tempDir } from "named-pipe-tools-testkit";

const code = (c: string) => (err: Error & { code?: string }) => err.code === c;

async function demo(t: TestContext) {
  const dir = await tempDir(t);
  const server = await createDemoServer({ dir, log: null, handleSignals: false }).listen();
  t.after(() => server.close());
  return { dir, server };
}

test("connect fails fast with ENOSERVER when no pipe exists, and leaves nothing behind", async (t) => {
  const dir = await tempDir(t);
  const started = Date.now();
  await assert.rejects(ToolClient.connect("ghost", { dir }), (err: Error & { code?: string }) => {
    assert.equal(err.code, "ENOSERVER");
    assert.match(err.message, /Is the server running\?/);
    return true;
  });
  assert.ok(Date.now() - started < 1000);
  assert.deepEqual(await entries(dir), []);
});

test("connect fails fast with ENOSERVER on a stale pipe nobody reads", async (t) => {
  const dir = await tempDir(t);
  await createFifo(path.join(dir, "tool-stale"));
  await assert.rejects(
    ToolClient.connect("stale", { dir }),
    (err: Error & { code?: string }) =>
      err.code === "ENOSERVER" && /nothing reads it/.test(err.message),
  );
  assert.deepEqual(await entries(dir), ["tool-stale"]);
});

test("connect accepts a pipe path as well as a name", async (t) => {
  const { dir } = await demo(t);
  await using client = await ToolClient.connect(path.join(dir, "tool-demo"));
  assert.equal(client.name, "demo");
  assert.equal(client.dir, dir);
  assert.equal((await client.call("ping")).event, "pong");
});

test("bad arguments are TypeErrors naming the argument", async (t) => {
  const { dir } = await demo(t);
  await assert.rejects(ToolClient.connect("demo", { dir, timeoutMs: -1 }), /timeoutMs/);
  await using client = await ToolClient.connect("demo", { dir });
  await assert.rejects(client.call(""), TypeError);
  await assert.rejects(client.call("echo", { cmd: "x" }), /must not contain 'cmd'/);
  await assert.rejects(ToolClient.connect("../x", { dir }), code("EBADNAME"));
});

test("concurrent calls from one client are matched to their replies by id", async (t) => {
  const { dir } = await demo(t);
  await using client = await ToolClient.connect("demo", { dir });
  const order: number[] = [];
  const calls = [300, 10, 150, 0, 80].map(async (ms) => {
    const reply = await client.call("sleep", { ms });
    assert.equal(reply["ms"], ms, "each call gets its own reply");
    order.push(ms);
  });
  const echoes = await Promise.all(
    Array.from({ length: 50 }, (_, i) => client.call("echo", { data: i })),
  );
  assert.deepEqual(
    echoes.map((r) => r["data"]),
    Array.from({ length: 50 }, (_, i) => i),
  );
  await Promise.all(calls);
  // Replies come back as the sleeps end, not in the order sent: the longest, sent first, comes
  // last. (The order of the short ones is left to the timers of a possibly busy machine.)
  assert.equal(order.length, 5);
  assert.equal(order.at(-1), 300);
});

test("several clients in one process each get their own replies", async (t) => {
  const { dir } = await demo(t);
  const clients = await Promise.all(
    Array.from({ length: 5 }, () => ToolClient.connect("demo", { dir })),
  );
  try {
    assert.equal(new Set(clients.map((c) => c.clientToken)).size, 5);
    const replies = await Promise.all(
      clients.map((c, i) => c.call("echo", { data: `client ${i}` })),
    );
    assert.deepEqual(
      replies.map((r) => r["data"]),
      clients.map((_, i) => `client ${i}`),
    );
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
});

test("a call times out with ETIMEDOUT and cancels itself on the server", async (t) => {
  const { dir, server } = await demo(t);
  await using client = await ToolClient.connect("demo", { dir });
  await assert.rejects(client.call("sleep", { ms: 60_000 }, { timeoutMs: 50 }), code("ETIMEDOUT"));
  assert.equal((await client.call("ping")).event, "pong");
  // The server no longer holds the cancelled request.
  assert.equal(server.subscribers.length, 1);
});

test("an AbortSignal aborts a call with EABORTED", async (t) => {
  const { dir } = await demo(t);
  await using client = await ToolClient.connect("demo", { dir });
  const controller = new AbortController();
  const pending = client.call("sleep", { ms: 60_000 }, { signal: controller.signal });
  controller.abort();
  await assert.rejects(pending, code("EABORTED"));
  await assert.rejects(client.call("ping", {}, { signal: AbortSignal.abort() }), code("EABORTED"));
  const stream = client.stream(
    "count",
    { n: 1_000_000, interval_ms: 1 },
    { signal: AbortSignal.timeout(50) },
  );
  await assert.rejects(stream.toArray(), code("EABORTED"));
});

test("close unsubscribes, removes the client's pipes, and rejects later calls", async (t) => {
  const { dir, server } = await demo(t);
  const client = await ToolClient.connect("demo", { dir, data: true });
  const before = await entries(dir);
  assert.ok(before.some((n) => n.startsWith(`tool-demo-${process.pid}-c`)));
  assert.equal(server.subscribers.length, 1);
  await client.close();
  assert.deepEqual(await entries(dir), ["tool-demo", "tool-demo-data"]);
  assert.equal(server.subscribers.length, 0);
  await assert.rejects(client.call("ping"), code("ECLOSED"));
  assert.equal(await client.closed, undefined);
  await client.close();
});

test("await using closes the client", async (t) => {
  const { dir, server } = await demo(t);
  {
    await using client = await ToolClient.connect("demo", { dir });
    await client.call("ping");
    assert.equal(server.subscribers.length, 1);
  }
  assert.equal(server.subscribers.length, 0);
});

test("a second server under a live name refuses with EINUSE and leaves the first intact", async (t) => {
  const { dir } = await demo(t);
  await assert.rejects(
    new ToolServer({ name: "demo", dir, log: null, handleSignals: false }).listen(),
    code("EINUSE"),
  );
  await using client = await ToolClient.connect("demo", { dir });
  assert.equal((await client.call("ping")).event, "pong");
});

test("a new server takes over stale pipes left by a dead one", async (t) => {
  const dir = await tempDir(t);
  await createFifo(path.join(dir, "tool-demo"));
  await createFifo(path.join(dir, "tool-demo-data"));
  const server = await createDemoServer({ dir, log: null, handleSignals: false }).listen();
  t.after(() => server.close());
  await using client = await ToolClient.connect("demo", { dir });
  assert.equal((await client.call("ping")).event, "pong");
});

test("messages up to 1 MiB and beyond round-trip intact", async (t) => {
  const { dir } = await demo(t);
  await using client = await ToolClient.connect("demo", { dir });
  for (const size of [4000, 4096, 4097, 65_536, 1 << 20, 3 << 20]) {
    const data = "é".repeat(size / 2) + '"\\\n';
    const reply = await client.call("echo", { data });
    assert.equal(reply["data"], data, `size ${size}`);
  }
});

test("a stream whose consumer falls too far behind is cancelled with ETOOBIG, not buffered without bound", async (t) => {
  const { dir } = await demo(t);
  await using client = await ToolClient.connect("demo", { dir });
  const stream = client.stream("count", { n: 1000 }, { maxBuffered: 10 });
  // Tokens arrive many per read, each read queued at once: far more than 10 before the loop runs.
  await client.call("ping");
  await assert.rejects(stream.toArray(), (err: Error & { code?: string }) => {
    assert.equal(err.code, "ETOOBIG");
    assert.match(err.message, /fell 10 messages behind/);
    return true;
  });
  assert.equal((await client.call("echo", { data: 1 }))["data"], 1, "the client is still usable");
});
