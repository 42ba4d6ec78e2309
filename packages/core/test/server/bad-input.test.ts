import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import type { TestContext } from "node:test";
import { test } from "node:test";
import { ToolClient } from "../../src/index.js";
import type { EventMessage } from "../../src/index.js";
import { createFifos } from "../../src/transport/fifo.js";
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
  const client = await ToolClient.connect("demo", { dir, data: true });
  t.after(() => client.close());
  const errors: EventMessage[] = [];
  client.on("error", (m) => errors.push(m));
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
  await createFifos([down, dataDown]);
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
