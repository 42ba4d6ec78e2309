/**
 * The local semantics of a call, kept across NATS: cancelling (by the caller, by breaking a
 * stream, by a timeout, by the caller going away, by the tool's side), broadcasts on the events
 * subject, and binary frames as raw bytes.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { connect } from "nats";
import type { PipeToolError, RemoteError } from "named-pipe-tools";
import { CPIPE, serveDemo, spawnNode, until } from "named-pipe-tools-testkit";
import { NatsToolClient } from "named-pipe-tools-nats";
import { exportFrom, holdTool, machine, startNats } from "./helpers.js";

test("cancelling reaches the tool's machine: abort, break, timeout", async (t) => {
  const nats = await startNats(t);
  const host = await machine(t);
  const tool = await holdTool(t, host);
  await exportFrom(t, host, nats.url, { tools: ["hold"] });
  const client = await NatsToolClient.connect(`${nats.url}/hold`);
  t.after(() => client.close());
  const events: string[] = [];
  client.on("*", (msg) => events.push(msg.event));

  const controller = new AbortController();
  const call = client.call("hold", { tag: "abort" }, { signal: controller.signal });
  await until(() => tool.started.includes("abort"));
  controller.abort();
  await assert.rejects(call, (err: PipeToolError) => err.code === "EABORTED");
  await until(() => tool.aborted.includes("abort"), 5000, "the tool to see the cancel");

  let got = 0;
  for await (const msg of client.stream("ticks", { tag: "break" })) {
    assert.equal(msg.done, false);
    if (++got === 3) break;
  }
  await until(() => tool.aborted.includes("break"), 5000, "the stream to be cancelled");

  await assert.rejects(
    client.call("hold", { tag: "timeout" }, { timeoutMs: 300 }),
    (err: PipeToolError) => {
      assert.equal(err.code, "ETIMEDOUT");
      return true;
    },
  );
  await until(() => tool.aborted.includes("timeout"), 5000, "the timed-out call to be cancelled");
  assert.equal((await client.call("ping")).event, "pong");
  assert.deepEqual(events, [], "cancelling broadcasts nothing");
});

test("a caller that goes away has its request cancelled on the tool's machine", async (t) => {
  const nats = await startNats(t);
  const host = await machine(t);
  const tool = await holdTool(t, host);
  await exportFrom(t, host, nats.url, { tools: ["hold"], probeIntervalMs: 200 });
  const caller = spawnNode(t, CPIPE, [
    `${nats.url}/hold`,
    "hold",
    "-j",
    '{"tag":"gone"}',
    "-t",
    "0",
  ]);
  await until(() => tool.started.includes("gone"), 10_000, "the remote call to start");
  caller.child.kill("SIGKILL");
  await caller.exited;
  await until(() => tool.aborted.includes("gone"), 5000, "the tool to see its caller leave");
});

test("the tool's side ends a call: its server stops, or the gateway stops", async (t) => {
  const nats = await startNats(t);
  const host = await machine(t);
  const tool = await holdTool(t, host);
  const gateway = await exportFrom(t, host, nats.url, { tools: ["hold"] });
  const client = await NatsToolClient.connect(`${nats.url}/hold`);
  t.after(() => client.close());

  const first = client.call("hold", { tag: "server" });
  first.catch(() => undefined); // it rejects while the server closes; checked below
  await until(() => tool.started.includes("server"));
  await tool.server.close();
  await assert.rejects(first, (err: PipeToolError & RemoteError) => {
    // The stopping server cancels its requests (a `cancelled` reply), or its pipe goes first.
    assert.ok(err.remoteCode === "cancelled" || err.code === "ESERVERGONE", String(err));
    return true;
  });
  // The stopping server's `cancelled` replies can come before its pipes close.
  await until(() => gateway.exported().length === 0, 5000, "the stopped tool to be withdrawn");

  // A tool started again under the same name is exported again.
  const again = await holdTool(t, host);
  await until(() => gateway.exported().includes("hold"), 5000, "the new tool to be exported");
  const second = client.call("hold", { tag: "gateway" });
  second.catch(() => undefined);
  await until(() => again.started.includes("gateway"));
  await gateway.close();
  await assert.rejects(second, (err: RemoteError) => {
    assert.equal(err.remoteCode, "cancelled");
    assert.match(err.message, /gateway is stopping/);
    return true;
  });
  await until(() => again.aborted.includes("gateway"));
});

test("broadcasts arrive on the events subject; binary frames travel as raw bytes", async (t) => {
  const nats = await startNats(t);
  const host = await machine(t);
  await serveDemo(t, { dir: host.dir });
  await exportFrom(t, host, nats.url, { tools: ["demo"] });
  const client = await NatsToolClient.connect(`${nats.url}/demo`, { data: true });
  t.after(() => client.close());

  const events: unknown[] = [];
  client.on("*", (msg) => events.push(msg));
  await client.call("shout", { data: { n: 1 } });
  await client.call("set_state", { state: "busy" });
  await until(() => events.length >= 2);
  assert.deepEqual(events, [
    { event: "shout", data: { n: 1 } },
    { event: "state_changed", state: "busy" },
  ]);

  const raw = await connect({ servers: nats.url });
  t.after(() => raw.close());
  const onWire: number[] = [];
  raw.subscribe("npt.data.demo.>", { callback: (_e, m) => onWire.push(m.data.length) });
  await raw.flush();
  const payload = Buffer.alloc(100_000);
  for (let i = 0; i < payload.length; i++) payload[i] = (i * 7) % 256;
  const echoed = new Promise<Buffer>((resolve) => client.onData(resolve));
  client.sendData(payload);
  assert.ok((await echoed).equals(payload));
  await until(() => onWire.length === 1);
  assert.deepEqual(onWire, [payload.length], "no base64: the NATS payload is the frame itself");
});

test("a burst of stream items arrives whole and in order; messages over max_payload fail clearly", async (t) => {
  const nats = await startNats(t, { config: "max_payload: 65536\n" });
  const host = await machine(t);
  await serveDemo(t, { dir: host.dir });
  await exportFrom(t, host, nats.url, { tools: ["demo"] });
  const client = await NatsToolClient.connect(`${nats.url}/demo`);
  t.after(() => client.close());

  const items = await client.stream("count", { n: 20_000 }).toArray();
  assert.equal(items.length, 20_001);
  assert.ok(items.slice(0, -1).every((m, i) => m["text"] === String(i + 1) && m.done === false));
  const last = items.at(-1)!;
  assert.deepEqual(last, { event: "token", id: last.id, text: "", done: true, count: 20_000 });

  // Arguments that fit, a reply that does not (the reply adds `"event":"echo"`).
  const data = "y".repeat(65_520);
  await assert.rejects(client.call("echo", { data }), (err: PipeToolError) => {
    assert.equal(err.code, "ETOOBIG");
    assert.match(err.message, /max_payload \(65536 bytes\)/);
    return true;
  });
  assert.throws(
    () => client.send("echo", { data: data + "y".repeat(100) }),
    (err: PipeToolError) => err.code === "ETOOBIG",
  );
  assert.equal((await client.call("echo", { data: "small" }))["data"], "small");
});
