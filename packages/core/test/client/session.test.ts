/**
 * The client session (ids, pending calls, timeouts, cancel, streams, events) over an in-memory
 * transport: no FIFO involved.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { EventMessage } from "../../src/index.js";
import { ToolClient } from "../../src/index.js";
import type { Script } from "./memory-transport.js";
import { MemoryTransport, basics } from "./memory-transport.js";

const code = (c: string) => (err: Error & { code?: string }) => err.code === c;

async function session(script: Script = basics, compat?: "reference") {
  const transport = new MemoryTransport("mem", script);
  const client = await ToolClient.over(transport, compat === undefined ? {} : { compat });
  return { transport, client };
}

test("a session subscribes over its transport and matches replies by id, in any order", async () => {
  const held: Record<string, unknown>[] = [];
  const { transport, client } = await session((msg, t) => {
    if (msg["cmd"] === "slow") held.push(msg);
    else if (msg["cmd"] === "fast") {
      t.reply(msg, { event: "fast" });
      for (const h of held) t.reply(h, { event: "slow" });
    } else basics(msg, t);
  });
  assert.equal(transport.sent[0]!["cmd"], "subscribe");
  const slow = client.call("slow");
  const fast = client.call("fast");
  assert.equal((await fast).event, "fast");
  assert.equal((await slow).event, "slow");
  assert.deepEqual(
    transport.sent.map((m) => [m["cmd"], typeof m["id"]]),
    [
      ["subscribe", "number"],
      ["slow", "number"],
      ["fast", "number"],
    ],
  );
});

test("a call times out, then cancels its request on the server", async () => {
  const { transport, client } = await session();
  await assert.rejects(client.call("never", {}, { timeoutMs: 30 }), code("ETIMEDOUT"));
  const cancel = transport.sent.at(-1)!;
  assert.equal(cancel["cmd"], "cancel");
  assert.equal(cancel["target"], transport.sent.at(-2)!["id"]);
});

test("aborting a call rejects with EABORTED and sends cancel", async () => {
  const { transport, client } = await session();
  const abort = new AbortController();
  const call = client.call("never", {}, { signal: abort.signal });
  abort.abort();
  await assert.rejects(call, code("EABORTED"));
  assert.equal(transport.sent.at(-1)!["cmd"], "cancel");
});

test("stream items reach onEvent and the stream; break cancels", async () => {
  const { transport, client } = await session((msg, t) => {
    if (msg["cmd"] !== "count" && msg["cmd"] !== "endless") return basics(msg, t);
    for (let i = 1; i <= 3; i++) t.reply(msg, { event: "token", text: String(i), done: false });
    if (msg["cmd"] === "count") t.reply(msg, { event: "token", text: "", done: true });
  });
  const items: EventMessage[] = [];
  const final = await client.call("count", {}, { onEvent: (m) => items.push(m) });
  assert.deepEqual(
    items.map((m) => m["text"]),
    ["1", "2", "3"],
  );
  assert.equal(final.done, true);
  for await (const msg of client.stream("endless")) {
    assert.equal(msg["text"], "1");
    break;
  }
  assert.equal(transport.sent.at(-1)!["cmd"], "cancel");
});

test("an error reply rejects with RemoteError; broadcasts go to listeners", async () => {
  const { transport, client } = await session((msg, t) => {
    if (msg["cmd"] === "bad") t.reply(msg, { event: "error", message: "no", code: "bad_args" });
    else basics(msg, t);
  });
  const seen: string[] = [];
  client.on("*", (m) => seen.push(m.event));
  await assert.rejects(client.call("bad"), (err: Error & { remoteCode?: string }) => {
    return err.name === "RemoteError" && err.remoteCode === "bad_args";
  });
  transport.deliver({ event: "state_changed", state: "busy" });
  assert.deepEqual(seen, ["state_changed"]);
});

test("a lost transport fails every pending call with its error and ends the session", async () => {
  const { transport, client } = await session();
  const pending = client.call("never");
  transport.lose();
  await assert.rejects(pending, code("ESERVERGONE"));
  assert.equal((await client.closed)?.code, "ESERVERGONE");
  assert.equal(client.connected, false);
  assert.equal(transport.closed, true);
  assert.throws(() => client.send("ping"), code("ESERVERGONE"));
});

test("reference mode: one call at a time, each answered by its reply without an id, never by a broadcast", async () => {
  const { transport, client } = await session((msg, t) => {
    // A server of the Python project: replies carry no id; broadcasts come in between.
    t.deliver({ event: "state_changed", state: "x" });
    if (msg["cmd"] === "subscribe") t.deliver({ event: "subscribed" });
    else t.deliver({ event: `${String(msg["cmd"])}-reply` });
  }, "reference");
  const a = client.call("a");
  const b = client.call("b");
  assert.deepEqual(
    transport.sent.map((m) => m["cmd"]),
    ["subscribe", "a"],
    "b waits until a has its answer",
  );
  assert.equal((await a).event, "a-reply");
  assert.equal((await b).event, "b-reply");
  assert.ok(
    transport.sent.every((m) => m["id"] !== undefined),
    "ids are sent (the reference ignores them; ours answer by them)",
  );
});

test("a stream answered by an error reply throws it, also to a consumer already waiting", async () => {
  const { client } = await session((msg, t) => {
    if (msg["cmd"] === "subscribe") return t.reply(msg, { event: "subscribed" });
    t.reply(msg, { event: "error", message: "nope", code: "handler_error" });
  });
  const iterator = client.stream("fail")[Symbol.asyncIterator]();
  const waiting = iterator.next(); // waits before the reply arrives
  await assert.rejects(waiting, { name: "RemoteError", message: "nope" });
  await assert.rejects(client.stream("fail").toArray(), { name: "RemoteError" });
});

test("a message with an id whose request has ended is dropped, never emitted as a broadcast", async () => {
  const { transport, client } = await session();
  const seen: string[] = [];
  client.on("*", (m) => seen.push(m.event));
  await client.call("ping");
  transport.deliver({ event: "error", id: 999, message: "late", code: "cancelled" });
  transport.deliver({ event: "shout", text: "hi" });
  assert.deepEqual(seen, ["shout"]);
});

test("close unsubscribes and closes the transport", async () => {
  const { transport, client } = await session();
  await client.close();
  assert.equal(transport.sent.at(-1)!["cmd"], "unsubscribe");
  assert.equal(transport.closed, true);
  assert.equal(await client.closed, undefined);
});
