/**
 * What a server holds for its peers is bounded and released: subscribers (checked atomically, and
 * refused with a reason when descriptors run out), requests from unsubscribed senders, unfinished
 * binary frames of all senders together, and the pipes of a client dropped for not reading.
 * Wire input never becomes a prototype.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { TestContext } from "node:test";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { setImmediate as yieldToLoop } from "node:timers/promises";
import { promisify } from "node:util";
import { ToolClient, ToolServer } from "../../src/index.js";
import { createFifo } from "../../src/transport/fifo.js";
import {
  DEMO_MAIN,
  entries,
  serveDemo,
  spawnNode,
  tempDir,
  until,
  waitForOutput,
  writeAllRaw,
} from "named-pipe-tools-testkit";

const run = promisify(execFile);

/** Writes lines to a tool's shared upstream pipe, as any local process can. */
async function rawUpstream(t: TestContext, file: string) {
  const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
  t.after(() => fs.closeSync(fd));
  return (data: string | Buffer) => writeAllRaw(fd, Buffer.from(data));
}

/** Makes a client's downstream pipes by hand and holds them open for reading (never read). */
async function rawClientPipes(t: TestContext, paths: string[]): Promise<number[]> {
  await Promise.all(paths.map((p) => createFifo(p)));
  const fds = paths.map((p) => fs.openSync(p, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK));
  t.after(() => fds.forEach((fd) => fs.closeSync(fd)));
  return fds;
}

/** Reads what is waiting on a non-blocking fd ("" when nothing). */
function readNow(fd: number): string {
  try {
    const buf = Buffer.alloc(65536);
    return buf.toString("utf8", 0, fs.readSync(fd, buf));
  } catch {
    return "";
  }
}

test("maxSubscribers holds for subscribes that arrive together", async (t) => {
  const { dir, server } = await serveDemo(t, { limits: { maxSubscribers: 4 } });
  const tokens = Array.from({ length: 12 }, (_, i) => `c${(0xa0 + i).toString(16)}`);
  const fds = await rawClientPipes(
    t,
    tokens.map((c) => path.join(dir, `tool-demo-${process.pid}-${c}`)),
  );
  const write = await rawUpstream(t, path.join(dir, "tool-demo"));
  await write(
    tokens
      .map((c) => JSON.stringify({ pid: process.pid, client: c, cmd: "subscribe" }))
      .join("\n") + "\n",
  );
  const replies = fds.map(() => "");
  await until(
    () => {
      fds.forEach((fd, i) => (replies[i] += readNow(fd)));
      return replies.every((r) => r.includes("\n"));
    },
    5000,
    "a reply to every subscribe",
  );
  assert.equal(server.subscribers.length, 4);
  assert.equal(replies.filter((r) => r.includes('"subscribed"')).length, 4);
  assert.equal(replies.filter((r) => /too many subscribers \(limit 4\)/.test(r)).length, 8);
});

test(
  "out of file descriptors, a new client is refused with the reason instead of timing out",
  { skip: process.platform !== "linux" && "needs prlimit (Linux)" },
  async (t) => {
    const dir = await tempDir(t);
    const server = spawnNode(t, DEMO_MAIN, ["--dir", dir]);
    await waitForOutput(server, (out) => out.includes("ready "));
    const inUse = fs.readdirSync(`/proc/${server.child.pid}/fd`).length;
    // Room for a few clients (each takes two descriptors of the server), then no more.
    await run("prlimit", [`--pid=${server.child.pid}`, `--nofile=${inUse + 8}:${inUse + 8}`]);
    const clients: ToolClient[] = [];
    t.after(() => Promise.all(clients.map((c) => c.close())));
    let refusal: (Error & { code?: string }) | undefined;
    for (let i = 0; i < 20 && refusal === undefined; i++) {
      try {
        clients.push(await ToolClient.connect("demo", { dir, timeoutMs: 5000 }));
      } catch (err) {
        refusal = err as Error & { code?: string };
      }
    }
    assert.ok(refusal !== undefined, "some client was refused");
    assert.equal(refusal.code, "EREMOTE", refusal.message);
    assert.match(refusal.message, /out of file descriptors/);
    assert.ok(clients.length >= 1);
  },
);

test("requests from senders that are not subscribed are bounded", async (t) => {
  const { dir, logs } = await serveDemo(t, { limits: { maxInFlightPerClient: 16 } });
  const write = await rawUpstream(t, path.join(dir, "tool-demo"));
  const line = JSON.stringify({ pid: process.pid, client: "c5eed", cmd: "sleep", ms: 60_000 });
  await write(`${line}\n`.repeat(200));
  await until(
    () => logs.filter((l) => /dropped 'sleep' from unsubscribed/.test(l)).length >= 150,
    5000,
    "requests past the bound dropped",
  );
  assert.match(
    logs.find((l) => /from unsubscribed/.test(l))!,
    /16 such requests already running/,
  );
});

test("unfinished binary frames are bounded for all senders together", async (t) => {
  const frameLimit = 64 * 1024;
  const { dir, logs } = await serveDemo(t, {
    limits: { maxFrameBytes: frameLimit, staleMs: 60_000 },
  });
  const senders = Array.from({ length: 6 }, (_, i) => ({
    token: `cb0${i}`,
    dataId: 100 + i,
  }));
  const fds = await rawClientPipes(
    t,
    senders.flatMap(({ token }) => [
      path.join(dir, `tool-demo-${process.pid}-${token}`),
      path.join(dir, `tool-demo-data-${process.pid}-${token}`),
    ]),
  );
  const downs = fds.filter((_, i) => i % 2 === 0);
  const write = await rawUpstream(t, path.join(dir, "tool-demo"));
  for (const { token, dataId } of senders) {
    const subscribe = { pid: process.pid, client: token, cmd: "subscribe", data_id: dataId };
    await write(JSON.stringify(subscribe) + "\n");
  }
  const replies = downs.map(() => "");
  await until(
    () => {
      downs.forEach((fd, i) => (replies[i] += readNow(fd)));
      return replies.every((r) => r.includes('"subscribed"'));
    },
    5000,
    "subscribed",
  );
  const data = await rawUpstream(t, path.join(dir, "tool-demo-data"));
  // Each sender starts a frame of 60 KiB and never finishes it: 360 KiB in all.
  for (const { dataId } of senders) {
    for (let piece = 0; piece < 15; piece++) {
      const head = Buffer.alloc(8);
      head.writeUInt32BE(dataId, 0);
      head.writeUInt32BE((4000 | 0x80000000) >>> 0, 4);
      await data(Buffer.concat([head, Buffer.alloc(4000, piece)]));
    }
  }
  await until(
    () => logs.some((l) => /held for all senders/.test(l)),
    5000,
    "the total bound enforced",
  );
});

test('a "__proto__" field of a request stays a field: it never becomes a prototype', async (t) => {
  const dir = await tempDir(t);
  const server = new ToolServer({ name: "proto", dir, log: null, handleSignals: false });
  server.handler("inspect", (args) => ({
    event: "inspected",
    plainPrototype: Object.getPrototypeOf(args) === Object.prototype,
    ownField: Object.hasOwn(args, "__proto__"),
    polluted: (args as { polluted?: unknown }).polluted === true,
  }));
  server.handler("echo", (args) => ({ event: "echo", ...args }));
  await server.listen();
  t.after(() => server.close());
  await using client = await ToolClient.connect("proto", { dir });
  const got: Record<string, unknown>[] = [];
  client.on("*", (m) => got.push(m));
  const write = await rawUpstream(t, path.join(dir, "tool-proto"));
  const me = `"pid":${process.pid},"client":"${client.clientToken}"`;
  await write(`{${me},"cmd":"inspect","__proto__":{"polluted":true}}\n`);
  await until(() => got.length === 1, 2000, "the reply");
  assert.deepEqual(
    { ...got[0], id: undefined },
    { event: "inspected", plainPrototype: true, ownField: true, polluted: false, id: undefined },
  );
});

test("a client dropped for not reading, then killed, leaves no pipe behind", async (t) => {
  const dir = await tempDir(t);
  const server = new ToolServer({
    name: "flood",
    dir,
    log: null,
    handleSignals: false,
    limits: { maxQueuedBytesPerClient: 256 * 1024, maxMessageBytes: 64 * 1024 },
  });
  server.handler("flood", async () => {
    for (let i = 0; i < 100; i++) {
      server.broadcast("blob", { data: "b".repeat(16 * 1024) });
      await yieldToLoop(); // a producer that lets readers keep up
    }
  });
  await server.listen();
  t.after(() => server.close());
  const stopped = spawnNode(
    t,
    fileURLToPath(new URL("../fixtures/stop-client.js", import.meta.url)),
    [dir, "flood"],
  );
  await waitForOutput(stopped, (out) => out.includes("stopping "));
  const pid = stopped.child.pid!;
  await until(() => server.subscribers.length === 1, 5000, "it subscribed");
  await until(() => stopped.child.signalCode === null && isStopped(pid), 5000, "it stopped itself");
  await using flooder = await ToolClient.connect("flood", { dir });
  await flooder.call("flood");
  await until(() => server.subscribers.length === 1, 5000, "the stopped client dropped");
  stopped.child.kill("SIGKILL");
  await stopped.exited;
  await until(
    async () => (await entries(dir)).every((n) => !n.includes(`-${pid}-`)),
    3000,
    "its pipes removed",
  );
});

/** True when process `pid` is stopped (state T in /proc). */
function isStopped(pid: number): boolean {
  try {
    return /^State:\s+T/m.test(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return false;
  }
}
