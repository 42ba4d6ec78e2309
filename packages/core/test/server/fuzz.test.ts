import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { ToolClient } from "../../src/index.js";
import { createDemoServer } from "../../src/demo/index.js";
import { tempDir, writeAllRaw } from "named-pipe-tools-testkit";

let seed = 0x9e3779b9;
function rand(n: number): number {
  seed ^= seed << 13;
  seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  seed >>>= 0;
  return seed % n;
}
const pick = <T>(xs: readonly T[]): T => xs[rand(xs.length)]!;

const CMDS = [
  "ping",
  "echo",
  "count",
  "sleep",
  "fail",
  "shout",
  "get_state",
  "get_help",
  "get_config",
  "list_interfaces",
  "get_interface",
  "cancel",
  "nope",
  "",
  "PING",
  "subscribe",
  "unsubscribe",
];
const VALUES: unknown[] = [
  null,
  true,
  0,
  -1,
  1e308,
  "x",
  "",
  [],
  {},
  [1, "a"],
  { n: 1 },
  "\u0000\uffff",
  -0.5,
  "é€😀",
];

function randomValue(depth = 0): unknown {
  const r = rand(depth > 2 ? 6 : 8);
  if (r < 5) return pick(VALUES);
  if (r === 5) return "s".repeat(rand(5000));
  if (r === 6) return Array.from({ length: rand(4) }, () => randomValue(depth + 1));
  return Object.fromEntries(
    Array.from({ length: rand(4) }, () => [
      pick(["n", "data", "ms", "name", "target", "pid", "id", "frag", "seq"]),
      randomValue(depth + 1),
    ]),
  );
}

function randomInput(): Buffer {
  switch (rand(6)) {
    case 0: // random bytes
      return Buffer.from(Array.from({ length: rand(300) }, () => rand(256)));
    case 1: // random JSON value
      return Buffer.from(JSON.stringify(randomValue()) + "\n");
    case 2: {
      // a plausible request with wrong types here and there
      const msg: Record<string, unknown> = { cmd: rand(4) === 0 ? randomValue() : pick(CMDS) };
      if (rand(3) > 0) msg["pid"] = rand(2) === 0 ? rand(5_000_000) : randomValue();
      if (rand(2) === 0) msg["id"] = randomValue();
      if (msg["cmd"] === "sleep") msg["ms"] = rand(50);
      for (let i = rand(4); i > 0; i--)
        msg[pick(["n", "data", "ms", "name", "target", "client", "message", "state"])] =
          randomValue();
      if (msg["cmd"] === "count" && typeof msg["n"] === "number")
        msg["n"] = Math.abs(msg["n"]) % 50;
      return Buffer.from(JSON.stringify(msg) + "\n");
    }
    case 3: // random fragment
      return Buffer.from(
        JSON.stringify({
          pid: rand(3) === 0 ? process.pid : rand(99999),
          frag: String(rand(5)),
          seq: rand(3),
          fin: rand(2) === 0,
          b64: Buffer.from(String(randomValue())).toString("base64"),
        }) + "\n",
      );
    case 4: // truncated line then newline
      return Buffer.from('{"pid":1,"cmd":"ec' + "\n");
    default: // lots of newlines and whitespace
      return Buffer.from(" \n\t\r\n\n");
  }
}

test(
  "5000 random inputs on both pipes leave the server answering correctly",
  { timeout: 60_000 },
  async (t) => {
    const dir = await tempDir(t);
    const server = await createDemoServer({
      dir,
      log: null,
      handleSignals: false,
      limits: { staleMs: 100 },
    }).listen();
    t.after(() => server.close());
    await using client = await ToolClient.connect("demo", { dir, data: true });
    const up = fs.openSync(
      path.join(dir, "tool-demo"),
      fs.constants.O_WRONLY | fs.constants.O_NONBLOCK,
    );
    const data = fs.openSync(
      path.join(dir, "tool-demo-data"),
      fs.constants.O_WRONLY | fs.constants.O_NONBLOCK,
    );
    t.after(() => {
      fs.closeSync(up);
      fs.closeSync(data);
    });
    const write = writeAllRaw;
    for (let i = 0; i < 5000; i++) {
      await write(up, randomInput());
      if (i % 10 === 0)
        await write(data, Buffer.from(Array.from({ length: rand(64) }, () => rand(256))));
      if (i % 500 === 0) await new Promise((r) => setImmediate(r));
    }
    // A newline ends whatever partial line the garbage left; the data pipe resyncs at a read boundary.
    await write(up, Buffer.from("\n"));
    assert.equal((await client.call("ping", {}, { timeoutMs: 10_000 })).event, "pong");
    assert.equal(
      (await client.call("echo", { data: "x".repeat(100_000) }))["data"],
      "x".repeat(100_000),
    );
    const msgs = await client.stream("count", { n: 3 }).toArray();
    assert.deepEqual(
      msgs.map((m) => m["text"]),
      ["1", "2", "3", ""],
    );
    assert.ok(server.subscribers.some((s) => s.client === client.clientToken));
  },
);
