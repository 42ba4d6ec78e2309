/**
 * Arguments from the command line: `get_interface NAME` takes the name positionally, and a bad
 * argument is reported once, by name, with the value given.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ToolClient } from "../../src/index.js";
import { startDemo, tempDir } from "named-pipe-tools-testkit";
import { cpipe } from "./run-cpipe.js";

const HINT = " (see its commands and arguments: cpipe demo help)\n";

test("get_interface takes the interface name positionally", async (t) => {
  const dir = await tempDir(t);
  await startDemo(t, dir);
  const own = await cpipe(t, dir, ["demo", "get_interface", "demo"]);
  assert.equal(own.code, 0, own.stderr);
  assert.equal((JSON.parse(own.stdout) as { name: string }).name, "demo");
  const base = await cpipe(t, dir, ["demo", "get_interface"]);
  assert.equal((JSON.parse(base.stdout) as { name: string }).name, "base");
  const unknown = await cpipe(t, dir, ["demo", "get_interface", "nope"]);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /unknown interface 'nope'/);
  // Clients of the Python project send DATA as `data` too: the server takes it as the name.
  await using client = await ToolClient.connect("demo", { dir });
  const reply = await client.call("get_interface", { data: "demo" });
  assert.equal((reply["interface"] as { name: string }).name, "demo");
});

test("a bad or missing argument is named once, with what was given", async (t) => {
  const dir = await tempDir(t);
  await startDemo(t, dir);
  const five = await cpipe(t, dir, ["demo", "count", "-j", '{"n":"five"}']);
  assert.deepEqual(five, {
    code: 1,
    stdout: "",
    stderr: `cpipe: demo count: argument 'n': expected number, got "five"${HINT}`,
  });
  const bare = await cpipe(t, dir, ["demo", "count"]);
  assert.equal(
    bare.stderr,
    `cpipe: demo count: missing required argument 'n' (expected number)${HINT}`,
  );
  const extra = await cpipe(t, dir, ["demo", "count", "-j", '{"n":1,"m":2}']);
  assert.equal(
    extra.stderr,
    `cpipe: demo count: unknown argument 'm' (it takes: n, interval_ms)${HINT}`,
  );
});
