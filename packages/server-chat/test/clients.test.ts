/**
 * Many clients on the embedded backend: several at once (queue and parallel sequences), and a
 * client that dies mid-generation frees its slot for the next queued request.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import type { EventMessage } from "named-pipe-tools";
import {
  collect,
  connect,
  makeModel,
  spawnNode,
  startServer,
  until,
  waitForOutput,
  waitState,
} from "./helpers.js";

const FIXTURE = fileURLToPath(new URL("./fixtures/long-chat-client.js", import.meta.url));

test("three clients at once on two parallel sequences all get their own replies", async (t) => {
  const model = await makeModel(t);
  const { server, dir } = await startServer(t, { model, parallel: 2 });
  await server.ready;
  const clients = await Promise.all([connect(t, dir), connect(t, dir), connect(t, dir)]);
  const alone = await collect(clients[0], { prompt: "Hello", max_tokens: 16 });
  const results = await Promise.all(
    clients.map((c) => collect(c, { prompt: "Hello", max_tokens: 16 })),
  );
  for (const r of results) {
    assert.equal(r.final.done, true);
    // Same prompt, greedy: batching sequences together must not mix their tokens.
    assert.equal(r.text, alone.text);
  }
  const config = await clients[0].call("get_config");
  assert.equal(config["parallel"], 2);
  assert.equal(config["active"], 0);
});

test("a client killed mid-generation frees its slot; the queued request then runs", async (t) => {
  const model = await makeModel(t);
  const { server, dir } = await startServer(t, { model, parallel: 1 });
  await server.ready;
  const watcher = await connect(t, dir);
  const hog = spawnNode(t, FIXTURE, [dir]);
  await waitForOutput(hog, (out) => out.includes("streaming"), 30_000);
  assert.equal((await watcher.call("get_state"))["state"], "inferring");

  // Queued behind the hog (one slot).
  const states: string[] = [];
  watcher.on("state_changed", (m: EventMessage) => states.push(String(m["state"])));
  const queued = watcher.call(
    "chat_blocking",
    { prompt: "Hi", max_tokens: 4 },
    { timeoutMs: 30_000 },
  );
  let settled = false;
  void queued.finally(() => (settled = true)).catch(() => undefined);
  await until(async () => (await watcher.call("get_config"))["queued"] === 1, 10_000, "queued");
  assert.equal(settled, false);

  hog.child.kill("SIGKILL");
  const reply = await queued;
  assert.equal(reply.event, "reply");
  assert.equal((reply["usage"] as Record<string, number>)["completion_tokens"], 4);
  await waitState(watcher, "idle");
  assert.equal((await watcher.call("get_config"))["active"], 0);
});

test("a queued request that is cancelled leaves the queue without running", async (t) => {
  const model = await makeModel(t);
  const { server, dir } = await startServer(t, { model, parallel: 1, maxQueue: 1 });
  await server.ready;
  const a = await connect(t, dir);
  const b = await connect(t, dir);
  const c = await connect(t, dir);
  const running = a.stream("chat", { prompt: "Go", max_tokens: 1_000_000, ignore_eos: true });
  const it = running[Symbol.asyncIterator]();
  await it.next();
  const waiting = b.call("chat", { prompt: "Hi", max_tokens: 4 });
  waiting.catch(() => undefined);
  await until(async () => (await b.call("get_config"))["queued"] === 1, 10_000, "queued");
  // The queue holds one: a third request is refused.
  await assert.rejects(c.call("chat", { prompt: "Hi" }), /too many requests waiting/);
  assert.equal((await b.call("cancel"))["cancelled"], 1);
  await assert.rejects(waiting, /cancelled/);
  assert.equal((await b.call("get_config"))["queued"], 0);
  await it.return?.();
  await waitState(c, "idle");
});
