import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import path from "node:path";
import { test } from "node:test";
import { ROOT, startDemo, tempDir } from "named-pipe-tools-testkit";
import { PROTOCOL_VERSION } from "../../src/index.js";

test(
  "a client speaking the Python reference's wire format gets the reference's reply shapes",
  { timeout: 30_000 },
  async (t) => {
    const dir = await tempDir(t);
    await startDemo(t, dir);
    const script = path.join(ROOT, "packages/core/test/fixtures/reference_client.py");
    const child = spawn("python3", [script, dir, "demo"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const code = await new Promise((resolve) => child.once("exit", resolve));
    assert.equal(code, 0, err);
    const lines = out.trim().split("\n");
    assert.equal(lines.pop(), "done");
    const msgs = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(msgs, [
      { event: "subscribed", protocol: PROTOCOL_VERSION, data: false },
      { event: "pong" },
      { event: "state", state: "running" },
      {
        event: "description",
        description: "Demo tool: echo, count (streaming), sleep, fail, shout, binary echo",
      },
      { event: "interfaces", interfaces: ["base", "demo"] },
      // No `code`: the reference's cpipe prints a one-field reply's value, anything more as JSON.
      { event: "error", message: "unknown command 'nonsense'" },
      { event: "error", message: "missing required argument 'n' (expected number)" },
      { event: "echo", data: { text: "héllo", n: [1, 2] } },
      { event: "token", text: "1", done: false },
      { event: "token", text: "2", done: false },
      { event: "token", text: "", done: true, count: 2 },
      { event: "interface", names: ["count", "echo", "fail", "set_state", "shout", "sleep"] },
    ]);
  },
);
