/**
 * Size limits hold in both directions and fail fast with a clear reason, and a fast stream
 * neither drops a healthy client nor stalls the server for anyone else.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import type { ConnectOptions, EventMessage } from "../../src/index.js";
import { ToolClient, ToolServer } from "../../src/index.js";
import { CPIPE, serveDemo, spawnNode, tempDir, until, writeAllRaw } from "named-pipe-tools-testkit";

const MIB = 1024 * 1024;

/** Resolves with what `p` settles to, and how long it took. */
async function timed<T>(p: Promise<T>): Promise<{ error?: Error & { code?: string }; ms: number }> {
  const t0 = Date.now();
  try {
    await p;
    return { ms: Date.now() - t0 };
  } catch (err) {
    return { error: err as Error & { code?: string }, ms: Date.now() - t0 };
  }
}

test("a request over the server's limit fails at once with the sizes and how to raise the limit", async (t) => {
  const { dir } = await serveDemo(t, { limits: { maxMessageBytes: MIB } });
  await using client = await ToolClient.connect("demo", { dir });
  // A long timeout: only a reply that names this request can end the call quickly.
  const { error, ms } = await timed(
    client.call("echo", { data: "x".repeat(2 * MIB) }, { timeoutMs: 60_000 }),
  );
  assert.ok(error !== undefined && ms < 1000, `failed after ${ms} ms: ${String(error)}`);
  assert.match(
    error.message,
    /too big: \d+ bytes, limit 1048576; raise it with the server's limits\.maxMessageBytes/,
  );
  assert.equal((await client.call("ping")).event, "pong", "the client is still usable");
});

test("a request over the limit on the shared pipe is refused with its id, within a second", async (t) => {
  const { dir } = await serveDemo(t, { limits: { maxMessageBytes: MIB } });
  // On the shared pipe the request travels in fragments; the server refuses it by fragment id.
  const options = { dir, upstream: "shared" } as ConnectOptions;
  await using client = await ToolClient.connect("demo", options);
  const { error, ms } = await timed(
    client.call("echo", { data: "y".repeat(2 * MIB) }, { timeoutMs: 60_000 }),
  );
  assert.ok(error !== undefined && ms < 1000, `failed after ${ms} ms: ${String(error)}`);
  assert.match(error.message, /too big|exceeds the limit/);
  assert.equal((await client.call("ping")).event, "pong");
});

test("a line over the limit written by hand gets a too_big error that carries its id", async (t) => {
  const { dir } = await serveDemo(t, { limits: { maxMessageBytes: MIB } });
  // The raw request's id is not this client's: the trace shows the error reply it gets.
  const errors: EventMessage[] = [];
  await using client = await ToolClient.connect("demo", {
    dir,
    trace: (direction, m) => {
      if (direction === "in" && m["event"] === "error") errors.push(m as EventMessage);
    },
  });
  const up = fs.openSync(
    path.join(dir, "tool-demo"),
    fs.constants.O_WRONLY | fs.constants.O_NONBLOCK,
  );
  t.after(() => fs.closeSync(up));
  const head = `{"pid":${process.pid},"client":"${client.clientToken}","id":"big-1","cmd":"echo","data":"`;
  await writeAllRaw(up, Buffer.from(head + "z".repeat(2 * MIB) + '"}\n'));
  await until(() => errors.length === 1, 2000, "the error");
  assert.equal(errors[0]!["id"], "big-1");
  assert.equal(errors[0]!["code"], "too_big");
});

test("any message up to the limit travels both ways: a 9 MB echo with the default limits", async (t) => {
  const { dir } = await serveDemo(t);
  await using client = await ToolClient.connect("demo", { dir });
  const data = "e".repeat(9_000_000);
  const reply = await client.call("echo", { data }, { timeoutMs: 30_000 });
  assert.equal((reply["data"] as string).length, data.length);
});

test("a reply over the server's limit becomes an error reply to its request", async (t) => {
  const dir = await tempDir(t);
  const server = new ToolServer({
    name: "grow",
    dir,
    log: null,
    handleSignals: false,
    limits: { maxMessageBytes: MIB },
  });
  server.handler("double", (args) => ({ event: "double", data: String(args["data"]).repeat(2) }));
  await server.listen();
  t.after(() => server.close());
  await using client = await ToolClient.connect("grow", { dir });
  const { error, ms } = await timed(
    client.call("double", { data: "d".repeat(700_000) }, { timeoutMs: 60_000 }),
  );
  assert.ok(error !== undefined && ms < 1000, `failed after ${ms} ms: ${String(error)}`);
  assert.match(error.message, /reply 'double' too big: \d+ bytes, limit 1048576/);
  assert.equal((await client.call("double", { data: "ok" }))["data"], "okok");
});

test("a reply over the client's own limit fails its call at once, naming the option", async (t) => {
  const { dir } = await serveDemo(t);
  await using client = await ToolClient.connect("demo", { dir, maxMessageBytes: 100_000 });
  const { error, ms } = await timed(
    client.call("echo", { data: "r".repeat(200_000) }, { timeoutMs: 60_000 }),
  );
  assert.ok(error !== undefined && ms < 1000, `failed after ${ms} ms: ${String(error)}`);
  assert.equal(error.code, "ETOOBIG");
  assert.match(error.message, /limit 100000; raise it with maxMessageBytes/);
  assert.equal((await client.call("ping")).event, "pong");
});

test("cpipe -t 0 with a request over the limit exits with the reason instead of hanging", async (t) => {
  const { dir } = await serveDemo(t, { limits: { maxMessageBytes: MIB } });
  const proc = spawnNode(t, CPIPE, ["--dir", dir, "demo", "echo", "-", "-t", "0"]);
  proc.child.stdin!.end("q".repeat(2 * MIB));
  const code = await Promise.race([
    proc.exited,
    new Promise((resolve) => setTimeout(resolve, 10_000, "still running")),
  ]);
  assert.equal(code, 1, proc.stderr());
  assert.match(proc.stderr(), /too big: \d+ bytes, limit 1048576/);
});

test("a fast reader of a long stream gets all of it, and the server answers others meanwhile", async (t) => {
  const { dir, server } = await serveDemo(t);
  await using reader = await ToolClient.connect("demo", { dir });
  await using other = await ToolClient.connect("demo", { dir });
  const n = 200_000;
  let items = 0;
  let pongBeforeEnd = false;
  let pinged: Promise<void> | undefined;
  for await (const msg of reader.stream("count", { n }, { timeoutMs: 60_000 })) {
    if (msg.done === false) items++;
    else pongBeforeEnd = pinged !== undefined;
    // Once the stream runs, another client's ping must be answered before the stream ends.
    pinged ??= other.call("ping", {}, { timeoutMs: 30_000 }).then((r) => {
      assert.equal(r.event, "pong");
    });
  }
  await pinged;
  assert.equal(items, n);
  assert.ok(pongBeforeEnd);
  assert.equal(server.subscribers.length, 2, "nobody was dropped");
});
