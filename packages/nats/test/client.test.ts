/**
 * The core's own API reaches remote tools: `ToolClient.connect("nats://HOST:PORT/NAME")` loads
 * this package by name and runs the core's session over its NATS transport, with call, stream
 * (break cancels on the tool's machine; a stream's timeout), on, cancel and binary frames as for
 * a local tool.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { PipeToolError, RemoteError } from "named-pipe-tools";
import { ToolClient } from "named-pipe-tools";
import { serveDemo, until } from "named-pipe-tools-testkit";
import { exportFrom, holdTool, machine, startNats } from "./helpers.js";

test("ToolClient.connect('nats://...'): call, stream, a break that cancels remotely, a stream's timeout", async (t) => {
  const nats = await startNats(t);
  const host = await machine(t);
  const tool = await holdTool(t, host);
  await exportFrom(t, host, nats.url, { tools: ["hold"] });
  const client = await ToolClient.connect(`${nats.url}/hold`, { callTimeoutMs: 10_000 });
  t.after(() => client.close());
  assert.equal(client.name, "hold");
  assert.equal(client.connected, true);
  assert.equal(client.privateUpstream, false);

  const pong = await client.call("ping");
  assert.equal(pong.event, "pong");
  assert.equal(typeof pong.id, "number");

  const seen: string[] = [];
  for await (const msg of client.stream("ticks", { tag: "break" })) {
    assert.equal(msg.done, false);
    seen.push(String(msg["text"]));
    if (seen.length === 3) break;
  }
  assert.deepEqual(seen, ["0", "1", "2"]);
  await until(() => tool.aborted.includes("break"), 5000, "the break to cancel on the tool");

  // `hold` sends nothing until cancelled: the stream's own deadline ends it, and cancels it.
  const started = performance.now();
  await assert.rejects(
    client.stream("hold", { tag: "quiet" }, { timeoutMs: 300 }).toArray(),
    (err: PipeToolError) => {
      assert.equal(err.code, "ETIMEDOUT");
      assert.match(err.message, /no reply to 'hold' from tool 'hold' within 300 ms/);
      return true;
    },
  );
  assert.ok(performance.now() - started >= 290, "not before its deadline");
  await until(() => tool.aborted.includes("quiet"), 5000, "the timed-out stream to be cancelled");

  // An explicit cancel of a request in flight, by id, as with a local tool.
  const held = client.call("hold", { tag: "by-id" });
  held.catch(() => undefined);
  await until(() => tool.started.includes("by-id"));
  const cancelled = await client.call("cancel", {});
  assert.equal(cancelled.event, "cancelled");
  assert.equal(cancelled["cancelled"], 1);
  await assert.rejects(held, (err: RemoteError) => {
    assert.equal(err.remoteCode, "cancelled");
    return true;
  });
  await until(() => tool.aborted.includes("by-id"), 5000, "the cancel to reach the tool");
  assert.equal((await client.call("ping")).event, "pong", "the session goes on");
});

test("ToolClient.connect('nats://...'): broadcasts with on(), binary frames, close", async (t) => {
  const nats = await startNats(t);
  const host = await machine(t);
  await serveDemo(t, { dir: host.dir });
  await exportFrom(t, host, nats.url, { tools: ["demo"] });
  const client = await ToolClient.connect(`${nats.url}/demo`, { data: true });
  assert.equal(client.hasData, true);

  const shouts: unknown[] = [];
  const off = client.on("shout", (msg) => shouts.push(msg));
  await client.call("shout", { data: "one" });
  await until(() => shouts.length === 1, 5000, "the broadcast");
  off();
  await client.call("shout", { data: "two" });
  const third = new Promise((resolve) => client.on("shout", resolve));
  await client.call("shout", { data: "three" });
  assert.deepEqual(await third, { event: "shout", data: "three" });
  assert.deepEqual(shouts, [{ event: "shout", data: "one" }], "off() removes the listener");

  const echoed = new Promise<Buffer>((resolve) => client.onData(resolve));
  client.sendData(Buffer.from([9, 8, 7]));
  assert.deepEqual([...(await echoed)], [9, 8, 7]);

  await client.close();
  assert.equal(client.connected, false);
  assert.equal(await client.closed, undefined);
  await assert.rejects(client.call("ping"), (err: PipeToolError) => err.code === "ECLOSED");
});

test("ToolClient.connect('nats://...') fails clearly: no NATS server, no such tool, a bad address", async (t) => {
  const nats = await startNats(t);
  await assert.rejects(ToolClient.connect(`${nats.url}/nosuch`), (err: PipeToolError) => {
    assert.equal(err.code, "ENOSERVER");
    assert.match(err.message, /no host exports tool 'nosuch'/);
    return true;
  });
  await nats.kill();
  await assert.rejects(ToolClient.connect(`${nats.url}/demo`), (err: PipeToolError) => {
    assert.equal(err.code, "ENOSERVER");
    assert.match(err.message, /no NATS server answers/);
    return true;
  });
  await assert.rejects(ToolClient.connect("nats://127.0.0.1:4222"), (err: PipeToolError) => {
    assert.equal(err.code, "EUSAGE");
    assert.match(err.message, /names no tool/);
    return true;
  });
  await assert.rejects(
    ToolClient.connect(`${nats.url}/demo`, { compat: "reference" }),
    /compat: "reference"/,
  );
});
