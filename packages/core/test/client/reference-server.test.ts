import assert from "node:assert/strict";
import { test } from "node:test";
import { ToolClient } from "../../src/index.js";
import type { EventMessage } from "../../src/index.js";
import { entries, startReferenceServer, tempDir } from "named-pipe-tools-testkit";

test("compat 'reference': our client talks to a server of the Python reference's wire format", async (t) => {
  const dir = await tempDir(t);
  await startReferenceServer(t, dir, "chat");
  const client = await ToolClient.connect("chat", { dir, compat: "reference" });
  assert.ok((await entries(dir)).includes(`tool-chat-${process.pid}`), "the pid-only reply pipe");
  assert.equal((await client.call("ping")).event, "pong");
  const states: EventMessage[] = [];
  client.on("state_changed", (m) => states.push(m));
  // The state_changed broadcast comes first: it must not be taken as the stream's first message.
  const texts = (await client.stream("chat", { messages: [] }).toArray()).map((m) => m["text"]);
  assert.deepEqual(texts, ["Hel", "lo", "!", ""]);
  assert.deepEqual((await client.call("get_state"))["state"], "running");
  assert.deepEqual(
    states.map((s) => s["state"]),
    ["inferring", "running"],
  );
  await assert.rejects(client.call("nope"), /unknown command 'nope'/);
  await client.close();
  assert.ok(
    !(await entries(dir)).includes(`tool-chat-${process.pid}`),
    "its pipe removed on close",
  );
});

test("compat 'reference' refuses a data channel and a bad compat value", async (t) => {
  const dir = await tempDir(t);
  await assert.rejects(
    ToolClient.connect("x", { dir, compat: "reference", data: true }),
    TypeError,
  );
  await assert.rejects(
    ToolClient.connect("x", { dir, compat: "python" as "reference" }),
    /compat must be/,
  );
});
