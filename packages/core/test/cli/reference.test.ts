import assert from "node:assert/strict";
import { test } from "node:test";
import { startReferenceServer, tempDir } from "named-pipe-tools-testkit";
import { cpipe } from "./run-cpipe.js";

test("cpipe --reference talks to a Python reference server: streams, and never takes state_changed as the answer", async (t) => {
  const dir = await tempDir(t);
  await startReferenceServer(t, dir, "chat");
  const ping = await cpipe(t, dir, ["--reference", "chat", "ping"]);
  assert.deepEqual(ping, { code: 0, stdout: "pong\n", stderr: "" });
  const chat = await cpipe(t, dir, [
    "--reference",
    "chat",
    "chat",
    "-j",
    '{"messages":[{"role":"user","content":"Hello"}]}',
  ]);
  assert.equal(chat.code, 0, chat.stderr);
  assert.equal(chat.stdout, "Hello!\n");
  const bad = await cpipe(t, dir, ["--reference", "chat", "nope"]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /unknown command 'nope'/);
});
