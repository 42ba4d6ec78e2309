/**
 * Exporting local tools and calling them from another machine: replies, streams, error replies
 * with their codes, discovery through the services API, tools that start and stop, and what a
 * remote caller can never reach.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { connect } from "nats";
import { RemoteError, ToolClient } from "named-pipe-tools";
import type { PipeToolError } from "named-pipe-tools";
import { serveDemo } from "named-pipe-tools-testkit";
import { NatsToolClient, listRemoteTools } from "named-pipe-tools-nats";
import { exportFrom, exported, machine, startNats } from "./helpers.js";

test("a remote caller gets replies, streams and error replies as a local one does", async (t) => {
  const nats = await startNats(t);
  const host = await machine(t);
  await serveDemo(t, { dir: host.dir });
  const gateway = await exportFrom(t, host, nats.url, { tools: ["demo"] });
  assert.deepEqual(gateway.exported(), ["demo"]);

  const client = await NatsToolClient.connect(`${nats.url}/demo`);
  t.after(() => client.close());
  assert.ok(client instanceof ToolClient, "the core's session, over NATS");
  assert.equal((await client.call("ping")).event, "pong");
  const echo = await client.call("echo", { data: { hello: ["world", 1] } });
  // As a local tool answers: the event, the request's id, the fields.
  assert.equal(typeof echo.id, "number");
  assert.deepEqual(Object.keys(echo), ["event", "id", "data"]);
  assert.deepEqual(echo, { event: "echo", id: echo.id, data: { hello: ["world", 1] } });

  const items = await client.stream("count", { n: 5 }).toArray();
  assert.deepEqual(
    items.map((m) => [m["text"], m.done]),
    [
      ["1", false],
      ["2", false],
      ["3", false],
      ["4", false],
      ["5", false],
      ["", true],
    ],
  );
  assert.equal(items.at(-1)?.["count"], 5);

  const seen: string[] = [];
  const final = await client.call(
    "count",
    { n: 3 },
    { onEvent: (m) => seen.push(String(m["text"])) },
  );
  assert.deepEqual(seen, ["1", "2", "3"]);
  assert.equal(final.done, true);

  await assert.rejects(client.call("fail", { message: "boom" }), (err: RemoteError) => {
    assert.ok(err instanceof RemoteError);
    assert.equal(err.message, "boom");
    assert.equal(err.remoteCode, "handler_error");
    return true;
  });
  await assert.rejects(client.call("count", { n: "many" }), (err: RemoteError) => {
    assert.equal(err.remoteCode, "bad_args");
    return true;
  });
  await assert.rejects(client.call("frobnicate"), (err: RemoteError) => {
    assert.equal(err.remoteCode, "unknown_command");
    return true;
  });
  // The same error codes a local client gets.
  const local = await ToolClient.connect("demo", { dir: host.dir });
  t.after(() => local.close());
  await assert.rejects(local.call("count", { n: "many" }), (err: RemoteError) => {
    assert.equal(err.remoteCode, "bad_args");
    return true;
  });
});

test("discovery through the services API: one service per tool, an endpoint per command, the interface in the metadata", async (t) => {
  const nats = await startNats(t);
  const a = await machine(t);
  const b = await machine(t);
  await serveDemo(t, { dir: a.dir });
  await serveDemo(t, { dir: b.dir });
  await exportFrom(t, a, nats.url, { tools: ["demo"] });
  await exportFrom(t, b, nats.url, { tools: "all" });

  const nc = await connect({ servers: nats.url });
  t.after(() => nc.close());
  const tools = await listRemoteTools(nc, { timeoutMs: 500 });
  assert.equal(tools.length, 1);
  const demo = tools[0]!;
  assert.equal(demo.name, "demo");
  assert.equal(demo.instances, 2);
  assert.match(demo.description, /Demo tool/);
  for (const cmd of ["echo", "count", "sleep", "ping", "get_interface"]) {
    assert.ok(demo.commands.includes(cmd), cmd);
  }
  for (const cmd of ["stop", "subscribe", "unsubscribe", "cancel"]) {
    assert.ok(!demo.commands.includes(cmd), `${cmd} must stay local`);
  }
  assert.equal(demo.interface?.commands.find((c) => c.name === "count")?.stream, true);

  // The raw services protocol, as the standard nats tooling sees it.
  const info = await nc.request("$SRV.INFO.demo", undefined, { timeout: 1000 });
  const body = info.json<{
    name: string;
    endpoints: {
      name: string;
      subject: string;
      queue_group: string;
      metadata: Record<string, string>;
    }[];
  }>();
  assert.equal(body.name, "demo");
  const count = body.endpoints.find((e) => e.name === "count")!;
  assert.equal(count.subject, "npt.call.demo.count");
  assert.equal(count.queue_group, "q");
  assert.equal(count.metadata["stream"], "true");
  const pings: unknown[] = [];
  const replies = await nc.services.client({ maxWait: 500 } as never).ping("demo");
  for await (const p of replies) pings.push(p);
  assert.equal(pings.length, 2);
});

test("tools that start or stop locally appear and vanish on NATS; only the named ones", async (t) => {
  const nats = await startNats(t);
  const host = await machine(t);
  await serveDemo(t, { dir: host.dir, name: "secret" });
  const gateway = await exportFrom(t, host, nats.url, { tools: ["demo", "late"], rescanMs: 100 });
  assert.deepEqual(gateway.exported(), []);

  const late = await serveDemo(t, { dir: host.dir, name: "late" });
  await exported(gateway, "late");
  const client = await NatsToolClient.connect(`${nats.url}/late`);
  assert.equal((await client.call("ping")).event, "pong");
  await client.close();

  await late.server.close();
  await exported(gateway, "late", false);
  await assert.rejects(NatsToolClient.connect(`${nats.url}/late`), (err: PipeToolError) => {
    assert.equal(err.code, "ENOSERVER");
    return true;
  });
  // A live local tool that was not named has no subject on NATS at all.
  await assert.rejects(NatsToolClient.connect(`${nats.url}/secret`), (err: PipeToolError) => {
    assert.equal(err.code, "ENOSERVER");
    return true;
  });
  const nc = await connect({ servers: nats.url });
  t.after(() => nc.close());
  await assert.rejects(nc.request("npt.call.secret.ping", undefined, { timeout: 1000 }), /503/);
  assert.deepEqual(await listRemoteTools(nc, { timeoutMs: 300 }), []);
});

test("a remote caller cannot stop the tool or reach its local-only commands", async (t) => {
  const nats = await startNats(t);
  const host = await machine(t);
  const { server } = await serveDemo(t, { dir: host.dir });
  await exportFrom(t, host, nats.url, { tools: ["demo"] });
  const client = await NatsToolClient.connect(`${nats.url}/demo`);
  t.after(() => client.close());
  await assert.rejects(client.call("stop"), (err: RemoteError) => {
    assert.equal(err.remoteCode, "unknown_command");
    return true;
  });
  // The client answers these itself (NATS needs no subscription; cancel has its own subject).
  assert.equal((await client.call("subscribe")).event, "subscribed");
  assert.equal((await client.call("unsubscribe")).event, "ok");
  const cancelled = await client.call("cancel", { target: 999 });
  assert.deepEqual(cancelled, { event: "cancelled", id: cancelled.id, cancelled: 0 });
  // None of them has a subject a caller could reach.
  const nc = await connect({ servers: nats.url });
  t.after(() => nc.close());
  for (const cmd of ["stop", "subscribe", "unsubscribe", "cancel"]) {
    await assert.rejects(nc.request(`npt.call.demo.${cmd}`, undefined, { timeout: 1000 }), /503/);
  }
  assert.equal(server.state, "running");
});
