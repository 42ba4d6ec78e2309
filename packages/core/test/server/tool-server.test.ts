import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import type { TestContext } from "node:test";
import { test } from "node:test";
import { z } from "zod";
import { ToolClient, ToolServer, command, handler } from "../../src/index.js";
import { createDemoServer } from "../../src/demo/index.js";
import type { EventMessage, RequestContext } from "../../src/index.js";
import { entries, serveDemo, tempDir, until } from "named-pipe-tools-testkit";

async function demo(t: TestContext) {
  const { dir, server, logs } = await serveDemo(t);
  const client = await ToolClient.connect("demo", { dir });
  t.after(() => client.close());
  return { dir, server, client, logs };
}

test("built-in commands answer with the reference's reply shapes", async (t) => {
  const { client } = await demo(t);
  const strip = (m: EventMessage) => {
    const { id: _id, ...rest } = m;
    return rest;
  };
  assert.deepEqual(strip(await client.call("ping")), { event: "pong" });
  assert.deepEqual(strip(await client.call("get_state")), { event: "state", state: "running" });
  assert.match(String((await client.call("get_description"))["description"]), /Demo tool/);
  assert.match(String((await client.call("get_help"))["help"]), /count \{n/);
  assert.deepEqual(strip(await client.call("get_config")), { event: "config" });
  assert.deepEqual(strip(await client.call("list_interfaces")), {
    event: "interfaces",
    interfaces: ["base", "demo"],
  });
  const base = (await client.call("get_interface", { name: "base" }))["interface"] as {
    commands: { name: string }[];
  };
  assert.ok(base.commands.some((c) => c.name === "get_interface"));
  const own = (await client.call("get_interface", { name: "demo" }))["interface"] as {
    name: string;
    commands: { name: string }[];
  };
  assert.equal(own.name, "demo");
  assert.deepEqual(own.commands.map((c) => c.name).sort(), [
    "count",
    "echo",
    "fail",
    "set_state",
    "shout",
    "sleep",
  ]);
  await assert.rejects(client.call("get_interface", { name: "nope" }), /unknown interface 'nope'/);
});

test("unknown commands get the reference's error, and commands are case-insensitive", async (t) => {
  const { client } = await demo(t);
  await assert.rejects(client.call("frobnicate"), (err: Error & { reply?: EventMessage }) => {
    assert.equal(err.message, "unknown command 'frobnicate'");
    assert.equal(err.reply?.["code"], "unknown_command");
    return true;
  });
  assert.equal((await client.call("PING")).event, "pong");
});

test("a streaming command sends token events and a final done marker, in order", async (t) => {
  const { client } = await demo(t);
  const msgs = await client.stream("count", { n: 3 }).toArray();
  assert.deepEqual(
    msgs.map(({ id: _id, ...m }) => m),
    [
      { event: "token", text: "1", done: false },
      { event: "token", text: "2", done: false },
      { event: "token", text: "3", done: false },
      { event: "token", text: "", count: 3, done: true },
    ],
  );
  const seen: string[] = [];
  const final = await client.call(
    "count",
    { n: 2 },
    { onEvent: (m) => seen.push(String(m["text"])) },
  );
  assert.deepEqual(seen, ["1", "2"]);
  assert.equal(final.done, true);
});

test("bad arguments, throwing and rejecting handlers get error events and the server lives on", async (t) => {
  const dir = await tempDir(t);
  const server = new ToolServer({ name: "err", dir, log: null, handleSignals: false });
  server.handler("boom", () => {
    throw new Error("sync boom");
  });
  server.handler("later", async () => {
    await Promise.resolve();
    throw Object.assign(new Error("no such voice"), { code: "unknown_voice" });
  });
  server.command("typed", { args: z.object({ n: z.number().int() }) }, ({ n }) => ({
    event: "typed",
    n,
  }));
  await server.listen();
  t.after(() => server.close());
  await using client = await ToolClient.connect("err", { dir });
  await assert.rejects(
    client.call("boom"),
    (e: Error & { remoteCode?: string }) =>
      e.message === "sync boom" && e.remoteCode === "handler_error",
  );
  await assert.rejects(
    client.call("later"),
    (e: Error & { remoteCode?: string }) => e.remoteCode === "unknown_voice",
  );
  await assert.rejects(
    client.call("typed", { n: "x" }),
    (e: Error & { remoteCode?: string }) =>
      e.remoteCode === "bad_args" && /^argument 'n': /.test(e.message),
  );
  await assert.rejects(client.call("typed", { n: 1, extra: true }), /unknown argument .extra./);
  assert.equal((await client.call("typed", { n: 4 }))["n"], 4);
});

test("handlers without a reply acknowledge with ok; other values become result events", async (t) => {
  const dir = await tempDir(t);
  const server = new ToolServer({ name: "vals", dir, log: null, handleSignals: false });
  server.handler("nothing", () => undefined);
  server.handler("num", () => 42);
  server.handler("obj", () => ({ a: 1 }));
  server.handler("manual", (_args, ctx: RequestContext) => {
    ctx.emit("progress", { pct: 50 });
    ctx.reply("finished", { ok: true });
    return { ignored: true };
  });
  await server.listen();
  t.after(() => server.close());
  await using client = await ToolClient.connect("vals", { dir });
  assert.equal((await client.call("nothing")).event, "ok");
  assert.deepEqual((await client.call("num"))["result"], 42);
  assert.deepEqual({ ...(await client.call("obj")), id: 0 }, { event: "result", a: 1, id: 0 });
  const progress: EventMessage[] = [];
  const fin = await client.call("manual", {}, { onEvent: (m) => progress.push(m) });
  assert.equal(fin.event, "finished");
  assert.equal(progress[0]?.event, "progress");
  assert.equal(progress[0]?.["pct"], 50);
});

test("decorated methods of a subclass become commands", async (t) => {
  const dir = await tempDir(t);
  class Greeter extends ToolServer {
    greeting = "Hello";
    constructor() {
      super({ name: "greeter", dir, log: null, handleSignals: false });
    }
    @handler("HELLO")
    hello(args: Record<string, unknown>) {
      return { event: "hello", text: `${this.greeting}, ${String(args["who"])}` };
    }
    @command("add", {
      description: "Add two numbers",
      args: z.object({ a: z.number(), b: z.number() }),
    })
    add(args: { a: number; b: number }) {
      return { event: "sum", sum: args.a + args.b };
    }
  }
  const server = await new Greeter().listen();
  t.after(() => server.close());
  await using client = await ToolClient.connect("greeter", { dir });
  assert.equal((await client.call("hello", { who: "pipes" }))["text"], "Hello, pipes");
  assert.equal((await client.call("add", { a: 2, b: 3 }))["sum"], 5);
  const spec = (await client.call("get_interface", { name: "greeter" }))["interface"] as {
    commands: { name: string; description: string }[];
  };
  assert.deepEqual(spec.commands.find((c) => c.name === "add")?.description, "Add two numbers");
});

test("replies go to the sender only; broadcasts and state changes reach everyone", async (t) => {
  const { dir, client: a, server } = await demo(t);
  await using b = await ToolClient.connect("demo", { dir });
  const seenByB: EventMessage[] = [];
  b.on("*", (m) => seenByB.push(m));
  const shouts: EventMessage[] = [];
  a.on("shout", (m) => shouts.push(m));
  const bShout = new Promise<EventMessage>((resolve) => b.on("shout", resolve));
  assert.equal((await a.call("echo", { data: "private" }))["data"], "private");
  await a.call("shout", { data: "hi all" });
  assert.equal((await bShout)["data"], "hi all");
  await until(() => shouts.length === 1, 2000, "shout at a");
  const stateAtB = new Promise<EventMessage>((resolve) => b.on("state_changed", resolve));
  server.setState("busy");
  assert.deepEqual(await stateAtB, { event: "state_changed", state: "busy" });
  assert.ok(!seenByB.some((m) => m.event === "echo"), "b never saw a's echo reply");
});

test("help comes from a help file beside the server", async (t) => {
  const dir = await tempDir(t);
  const helpFile = path.join(dir, "HELP.md");
  await fs.writeFile(helpFile, "# helpful\nUse it well.\n");
  const server = await new ToolServer({
    name: "helped",
    dir,
    helpFile,
    description: "d",
    log: null,
    handleSignals: false,
  }).listen();
  t.after(() => server.close());
  await using client = await ToolClient.connect("helped", { dir });
  assert.equal((await client.call("get_help"))["help"], "# helpful\nUse it well.\n");
});

test("get_config flattens the configuration into the reply", async (t) => {
  const dir = await tempDir(t);
  let temperature = 0.5;
  const server = await new ToolServer({
    name: "cfg",
    dir,
    config: () => ({ model: "m", temperature }),
    log: null,
    handleSignals: false,
  }).listen();
  t.after(() => server.close());
  await using client = await ToolClient.connect("cfg", { dir });
  temperature = 0.7;
  const { id: _id, ...config } = await client.call("get_config");
  assert.deepEqual(config, { event: "config", model: "m", temperature: 0.7 });
});

test("binary frames go both ways, intact, including frames larger than PIPE_BUF", async (t) => {
  const dir = await tempDir(t);
  const server = await createDemoServer({ dir, log: null, handleSignals: false }).listen();
  t.after(() => server.close());
  await using client = await ToolClient.connect("demo", { dir, data: true });
  assert.ok(client.hasData);
  const received: Buffer[] = [];
  client.onData((b) => received.push(b));
  const sent = [
    Buffer.from("small"),
    Buffer.alloc(0),
    Buffer.alloc(100_000).map((_, i) => i % 251),
    Buffer.alloc(4096, 1),
  ];
  for (const b of sent) client.sendData(b);
  await until(() => received.length === sent.length, 5000, "echoed frames");
  for (let i = 0; i < sent.length; i++) assert.deepEqual(received[i], sent[i]);
});

test("cancel: breaking out of a stream aborts the handler on the server", async (t) => {
  const dir = await tempDir(t);
  const server = new ToolServer({ name: "cancel", dir, log: null, handleSignals: false });
  let aborted: (reason: unknown) => void = () => undefined;
  const abortSeen = new Promise((resolve) => (aborted = resolve));
  server.handler("ticks", async function* (_args, ctx) {
    ctx.signal.addEventListener("abort", () => aborted(ctx.signal.reason));
    for (let i = 0; ; i++) {
      yield { text: String(i) };
      await new Promise((r) => setTimeout(r, 5));
    }
  });
  await server.listen();
  t.after(() => server.close());
  await using client = await ToolClient.connect("cancel", { dir });
  const got: string[] = [];
  for await (const msg of client.stream("ticks")) {
    got.push(String(msg["text"]));
    if (got.length === 3) break;
  }
  assert.deepEqual(got, ["0", "1", "2"]);
  assert.match(String(await abortSeen), /cancelled/);
  assert.equal((await client.call("ping")).event, "pong", "client still usable");
});

test("the stop command broadcasts stopping, removes the pipes, and ends every client", async (t) => {
  const { dir, client, server } = await demo(t);
  const stopping = new Promise<EventMessage>((resolve) => client.on("state_changed", resolve));
  const pending = client.call("sleep", { ms: 60_000 });
  assert.equal((await client.call("stop")).event, "ok");
  assert.equal((await stopping)["state"], "stopping");
  await assert.rejects(pending, (e: Error & { code?: string }) =>
    ["ESERVERGONE", "EREMOTE"].includes(e.code ?? ""),
  );
  await server.closed;
  const closed = await client.closed;
  assert.equal(closed?.code, "ESERVERGONE");
  assert.deepEqual(
    (await entries(dir)).filter((n) => n === "tool-demo" || n === "tool-demo-data"),
    [],
  );
});

test("a request without pid is executed and its reply broadcast, as in the reference", async (t) => {
  const { dir, client } = await demo(t);
  const pong = new Promise<EventMessage>((resolve) => client.on("pong", resolve));
  await fs.appendFile(path.join(dir, "tool-demo"), '{"cmd":"ping"}\n');
  assert.deepEqual(await pong, { event: "pong" });
});

test("onCancel hooks run on cancel, and built-in names cannot be registered", async (t) => {
  const dir = await tempDir(t);
  const server = new ToolServer({ name: "hooks", dir, log: null, handleSignals: false });
  assert.throws(() => server.handler("cancel", () => undefined), /built-in command; use onCancel/);
  assert.throws(
    () => server.handler("PING", () => undefined),
    /^TypeError: 'ping' is a built-in command; give the handler another name$/,
  );
  const calls: unknown[] = [];
  server.onCancel((from, target) => calls.push([from.client, target]));
  await server.listen();
  t.after(() => server.close());
  await using client = await ToolClient.connect("hooks", { dir });
  assert.deepEqual(
    { ...(await client.call("cancel")), id: 0 },
    { event: "cancelled", cancelled: 0, id: 0 },
  );
  await client.call("cancel", { target: 99 });
  assert.deepEqual(calls, [
    [client.clientToken, undefined],
    [client.clientToken, 99],
  ]);
});

test("removeCommand unregisters a command: later requests get unknown command", async (t) => {
  const dir = await tempDir(t);
  const server = new ToolServer({ name: "removable", dir, log: null, handleSignals: false });
  server.handler("temp", () => ({ event: "here" }));
  await server.listen();
  t.after(() => server.close());
  await using client = await ToolClient.connect("removable", { dir });
  assert.equal((await client.call("temp")).event, "here");
  assert.equal(server.removeCommand("TEMP"), true);
  assert.equal(server.removeCommand("temp"), false);
  await assert.rejects(client.call("temp"), /unknown command 'temp'/);
  assert.deepEqual((await client.call("list_interfaces"))["interfaces"], ["base"]);
});
