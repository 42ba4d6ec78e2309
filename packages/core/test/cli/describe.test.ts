import assert from "node:assert/strict";
import { test } from "node:test";
import { startDemo, tempDir } from "named-pipe-tools-testkit";
import { cpipe } from "./run-cpipe.js";

test("cpipe NAME shows the description, state, and every command with its arguments", async (t) => {
  const dir = await tempDir(t);
  await startDemo(t, dir);
  const res = await cpipe(t, dir, ["demo"]);
  assert.equal(res.code, 0, res.stderr);
  const out = res.stdout;
  assert.match(out, /^demo: Demo tool: echo, count \(streaming\)/);
  assert.match(out, /^state: running$/m);
  assert.match(out, /^ {2}cpipe demo echo DATA$/m);
  assert.match(
    out,
    /^ {2}cpipe demo count -j '\{"n": integer, "interval_ms"\?: integer\}' {3}\[streams\]$/m,
  );
  assert.match(out, /- n +\(integer, required\): How many tokens to send/);
  assert.match(out, /- interval_ms +\(integer, default 0\): Pause between tokens, ms/);
  assert.match(out, /^ {2}shout \{data\}: Broadcast by shout$/m);
  assert.match(out, /^Built-in commands: ping, /m);

  const help = await cpipe(t, dir, ["demo", "help"]);
  assert.deepEqual(help, res, "cpipe NAME help is the same");

  const byPath = await cpipe(t, dir, [`${dir}/tool-demo`]);
  assert.equal(byPath.code, 0, byPath.stderr);
  assert.match(byPath.stdout, /^demo: Demo tool/);
  assert.ok(byPath.stdout.includes(`  cpipe ${dir}/tool-demo echo DATA\n`), "call shapes as typed");
});

test("cpipe NAME --jsonl gives the same as one JSON object", async (t) => {
  const dir = await tempDir(t);
  await startDemo(t, dir, "other");
  const res = await cpipe(t, dir, ["other", "--jsonl"]);
  assert.equal(res.code, 0, res.stderr);
  const d = JSON.parse(res.stdout) as {
    tool: string;
    state: string;
    interfaces: { name: string; commands: { name: string }[] }[];
  };
  assert.equal(d.tool, "other");
  assert.equal(d.state, "running");
  assert.deepEqual(
    d.interfaces[0]!.commands.map((c) => c.name),
    ["echo", "count", "sleep", "fail", "shout", "set_state"],
  );
});

test("cpipe NAME with no server: exit 1 and a clear message", async (t) => {
  const dir = await tempDir(t);
  const res = await cpipe(t, dir, ["nobody"]);
  assert.equal(res.code, 1);
  assert.match(res.stderr, /^cpipe: no server for 'nobody': .*tool-nobody does not exist/);
});
