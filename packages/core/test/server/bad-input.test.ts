import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import type { TestContext } from "node:test";
import { test } from "node:test";
import { ToolClient } from "../../src/index.js";
import type { ConnectOptions, EventMessage } from "../../src/index.js";
import { fragmentLine } from "../../src/framing/fragments.js";
import { createFifo } from "../../src/transport/fifo.js";
import { serveDemo, until, writeAllRaw } from "named-pipe-tools-testkit";

/** A demo server with small limits, a subscribed client, and raw write access to the pipes. */
async function setup(t: TestContext) {
  const { dir, server, logs } = await serveDemo(t, {
    limits: {
      maxMessageBytes: 1 << 20,
      maxFrameBytes: 1 << 20,
      staleMs: 200,
      livenessIntervalMs: 50,
    },
  });
  // Error replies to the raw requests below carry ids this client never used, so the session
  // drops them as answers to nothing; the trace still shows what the server sent.
  const errors: EventMessage[] = [];
  const incoming: EventMessage[] = [];
  const client = await ToolClient.connect("demo", {
    dir,
    data: true,
    trace: (direction, m) => {
      if (direction !== "in") return;
      incoming.push(m as EventMessage);
      if (m["event"] === "error") errors.push(m as EventMessage);
    },
  });
  t.after(() => client.close());
  const open = (name: string) =>
    fs.openSync(path.join(dir, name), fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
  const up = open("tool-demo");
  const data = open("tool-demo-data");
  t.after(() => {
    fs.closeSync(up);
    fs.closeSync(data);
  });
  const me = `"pid":${process.pid},"client":"${client.clientToken}"`;
  return {
    dir,
    server,
    client,
    errors,
    incoming,
    logs,
    me,
    rawText: (s: string | Buffer) => writeAllRaw(up, Buffer.from(s)),
    rawData: (b: Buffer) => writeAllRaw(data, b),
  };
}

/**
 * Subscribes this process by hand under client token `token`, with data id `dataId`, holding its
 * downstream pipes open (never read): a known sender for raw frames on the shared data pipe.
 */
async function rawSubscriber(t: TestContext, dir: string, token: string, dataId: number) {
  const down = path.join(dir, `tool-demo-${process.pid}-${token}`);
  const dataDown = path.join(dir, `tool-demo-data-${process.pid}-${token}`);
  await Promise.all([down, dataDown].map((p) => createFifo(p)));
  const fds = [down, dataDown].map((p) =>
    fs.openSync(p, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK),
  );
  t.after(() => fds.forEach((fd) => fs.closeSync(fd)));
  const subscribe = { pid: process.pid, client: token, cmd: "subscribe", data_id: dataId };
  const up = fs.openSync(path.join(dir, "tool-demo"), fs.constants.O_WRONLY);
  fs.writeSync(up, JSON.stringify(subscribe) + "\n");
  fs.closeSync(up);
  await until(() => subscribed(fds[0]!), 2000, "raw subscribe");
}

/** True once something (the `subscribed` reply) can be read from `fd`. */
function subscribed(fd: number): boolean {
  try {
    return fs.readSync(fd, Buffer.alloc(4096)) > 0;
  } catch {
    return false;
  }
}

async function healthy(client: ToolClient): Promise<void> {
  assert.equal((await client.call("ping")).event, "pong");
  assert.equal((await client.call("echo", { data: "still fine" }))["data"], "still fine");
}

test("non-JSON, non-object and badly typed requests get error events when the sender is known", async (t) => {
  const { client, errors, logs, me, rawText } = await setup(t);
  await rawText(`not json at all {${me}\n`);
  await rawText(`{${me},"cmd":5}\n`);
  await rawText(`{${me},"cmd":"ping","id":{"x":1}}\n`);
  await rawText(`{${me}}\n`);
  await until(() => errors.length === 4, 2000, "4 error events");
  assert.deepEqual(
    errors.map((e) => e["code"]),
    ["bad_request", "bad_request", "bad_request", "bad_request"],
  );
  assert.match(String(errors[0]!["message"]), /not valid JSON/);
  assert.match(String(errors[1]!["message"]), /non-string 'cmd'/);
  assert.match(String(errors[2]!["message"]), /'id' must be/);
  await rawText('[1,2,3]\n42\n"str"\nnull\n');
  await rawText('{"pid":"abc","cmd":"ping"}\n{"pid":-1,"cmd":"ping"}\n{"pid":1.5,"cmd":"ping"}\n');
  await rawText(`{"pid":${process.pid},"client":"../../etc","cmd":"ping"}\n`);
  await until(
    () => logs.filter((l) => /must be a JSON object|invalid pid/.test(l)).length >= 8,
    2000,
    "logged drops",
  );
  await healthy(client);
});

test("a request from a foreign or unsubscribed pid is answered nowhere and harms no one", async (t) => {
  const { client, rawText } = await setup(t);
  await rawText('{"pid":1,"cmd":"ping"}\n{"pid":4194300,"cmd":"get_state"}\n');
  await healthy(client);
});

test("a line of many megabytes is dropped with a too_big error, memory bounded, and the server lives on", async (t) => {
  const { client, errors, me, rawText } = await setup(t);
  await rawText(`{${me},"cmd":"echo","data":"`);
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  for (let i = 0; i < 80; i++) await rawText(chunk); // 5 MiB, over the 1 MiB limit
  await rawText('"}\n');
  await until(() => errors.length === 1, 5000, "too_big error");
  assert.equal(errors[0]!["code"], "too_big");
  assert.match(
    String(errors[0]!["message"]),
    /too big: \d+ bytes, limit 1048576; raise it with the server's limits\.maxMessageBytes/,
  );
  await healthy(client);
});

test("binary garbage on the text pipe never stops the server", async (t) => {
  const { client, rawText } = await setup(t);
  const garbage = Buffer.alloc(200_000);
  for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 2654435761) >>> 24;
  await rawText(garbage);
  await rawText("\n");
  await healthy(client);
});

test("oversized fragmented messages and broken fragment sequences get errors", async (t) => {
  const { client, errors, me, rawText } = await setup(t);
  await rawText(`{${me},"frag":"a","seq":3,"fin":false,"b64":""}\n`);
  const big = Buffer.alloc(3000).toString("base64");
  for (let seq = 0; seq < 400; seq++)
    await rawText(`{${me},"frag":"b","seq":${seq},"fin":false,"b64":"${big}"}\n`);
  await rawText(
    `{${me},"frag":"c","seq":0,"fin":true,"b64":"${Buffer.from("[1]").toString("base64")}"}\n`,
  );
  await until(() => errors.length >= 3, 5000, "fragment errors");
  assert.equal(errors.length, 3, "one error per refused message, not one per fragment");
  assert.match(String(errors[0]!["message"]), /starts at seq 3/);
  assert.ok(errors.some((e) => e["code"] === "too_big"));
  assert.ok(
    errors.some((e) => /reassembled fragments are not a JSON request/.test(String(e["message"]))),
  );
  await healthy(client);
});

test("absurd frame lengths and truncated frames on the data pipe are bounded and dropped", async (t) => {
  const { dir, client, logs, rawData } = await setup(t);
  await rawSubscriber(t, dir, "cabcdef01", 77);
  const header = (id: number, len: number) => {
    const b = Buffer.alloc(8);
    b.writeUInt32BE(id, 0);
    b.writeUInt32BE(len >>> 0, 4);
    return b;
  };
  await rawData(Buffer.concat([header(1, 0x7fff_ffff), Buffer.alloc(10)]));
  await until(() => logs.some((l) => /exceeds the limit/.test(l)), 2000, "absurd length logged");
  await rawData(Buffer.concat([header(77, 1000), Buffer.alloc(10)])); // truncated: 10 of 1000 bytes
  await until(
    () => logs.some((l) => /truncated binary frame/.test(l)),
    3000,
    "truncated frame dropped",
  );
  await rawData(Buffer.concat([header(12345, 3), Buffer.from("abc")]));
  await until(
    () => logs.some((l) => /unknown sender 12345/.test(l)),
    2000,
    "unknown sender logged",
  );
  const echoed = new Promise<Buffer>((resolve) => client.onData(resolve));
  client.sendData(Buffer.from("after the garbage"));
  assert.equal((await echoed).toString(), "after the garbage");
  await healthy(client);
});

const deep = (depth: number): string => "[".repeat(depth) + "]".repeat(depth);

test("JSON nested 5,000 deep never crashes the server, with a bad sender or through fragments", async (t) => {
  const { client, logs, rawText } = await setup(t);
  await rawText(`{"pid":-1,"cmd":"echo","data":${deep(5000)}}\n`);
  const whole = `{"pid":-1,"cmd":"echo","data":${deep(5000)}}`;
  const pieces = fragmentLine(whole, { pid: process.pid, client: "cfeed01" }, "7", 4096);
  for (const piece of pieces) await rawText(piece);
  await until(
    () => logs.filter((l) => /invalid pid or client/.test(l)).length === 2,
    2000,
    "both dropped",
  );
  assert.ok(
    logs.every((l) => l.length < 1000),
    "only a bounded prefix of the input is logged",
  );
  await healthy(client);
});

test("a reply that cannot be serialised becomes an error reply with the request's id", async (t) => {
  const { client, errors, me, rawText } = await setup(t);
  await rawText(`{${me},"id":"deep-1","cmd":"echo","data":${deep(5000)}}\n`);
  await until(() => errors.length === 1, 2000, "the error reply");
  assert.equal(errors[0]!["id"], "deep-1");
  assert.equal(errors[0]!["code"], "handler_error");
  assert.match(String(errors[0]!["message"]), /could not be serialised/);
  await healthy(client);
});

test("a torn line left without a newline is not glued to the next client's message", async (t) => {
  const { dir, logs, rawText } = await setup(t);
  // A writer that died half-way through a line: no newline will ever follow.
  await rawText(`{"pid":1,"cmd":"echo","data":"half a li`);
  await using next = await ToolClient.connect("demo", { dir, timeoutMs: 3000 });
  assert.equal((await next.call("ping")).event, "pong");
  assert.ok(
    logs.some((l) => /torn line/.test(l)),
    logs.join("\n"),
  );
  await rawText(`{"pid":1,"cmd":"echo","data":"another ha`);
  await until(() => logs.some((l) => /unfinished line/.test(l)), 3000, "the torn line expired");
  await healthy(next);
});

test("a frame header announcing bytes that never come does not swallow other senders' frames", async (t) => {
  const { dir, server, rawData } = await setup(t);
  await rawSubscriber(t, dir, "cabcdef02", 78);
  let frames = 0;
  server.onData(() => frames++);
  const header = Buffer.alloc(8);
  header.writeUInt32BE(4242, 0); // nobody's data id
  header.writeUInt32BE(1_000_000, 4);
  await rawData(Buffer.concat([header, Buffer.alloc(100)]));
  for (let i = 0; i < 300; i++) {
    const frame = Buffer.alloc(8 + 100, i);
    frame.writeUInt32BE(78, 0);
    frame.writeUInt32BE(100, 4);
    await rawData(frame);
  }
  await until(() => frames >= 299, 3000, `frames delivered (${frames})`);
});

test("a live subscriber may pause between fragments longer than the stale time", async (t) => {
  const { client, incoming, me, rawText } = await setup(t);
  const echoes = (): EventMessage[] => incoming.filter((m) => m.event === "echo");
  const line = `{${me},"id":"slow-1","cmd":"echo","data":"${"p".repeat(10_000)}"}`;
  const pieces = fragmentLine(line, { pid: process.pid, client: client.clientToken }, "s1", 4096);
  await rawText(pieces[0]!);
  // Paused (a GC pause, a busy CPU, SIGSTOP) for several times the stale time (200 ms here).
  await new Promise((resolve) => setTimeout(resolve, 700));
  for (const piece of pieces.slice(1)) await rawText(piece);
  await until(() => echoes().length === 1, 2000, "the echo");
  assert.equal(echoes()[0]!["id"], "slow-1");
});

test("one sender holding many unfinished fragmented messages does not block another's", async (t) => {
  const { dir, errors, rawText } = await setup(t);
  const hog = `"pid":${process.pid},"client":"cb0b0b0"`;
  for (let i = 0; i < 300; i++) {
    await rawText(`{${hog},"frag":"h${i}","seq":0,"fin":false,"b64":"AAAA"}\n`);
  }
  const options = { dir, upstream: "shared" } as ConnectOptions;
  await using victim = await ToolClient.connect("demo", options);
  const data = "v".repeat(50_000); // travels in fragments on the shared pipe
  assert.equal((await victim.call("echo", { data }, { timeoutMs: 5000 }))["data"], data);
  assert.deepEqual(errors, []);
});
