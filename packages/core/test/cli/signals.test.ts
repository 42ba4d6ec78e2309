import assert from "node:assert/strict";
import { test } from "node:test";
import { entries, startDemo, tempDir } from "named-pipe-tools-testkit";
import { cpipe, startCpipe, waitForStderr, waitForStdout } from "./run-cpipe.js";

test("Ctrl-C during a long call: exit 130, the request is cancelled, the client unsubscribes and removes its pipes", async (t) => {
  const dir = await tempDir(t);
  await startDemo(t, dir);
  const proc = startCpipe(t, dir, ["demo", "sleep", "-j", '{"ms":60000}', "-t", "0", "-v"]);
  await waitForStderr(proc, '"cmd":"sleep"');
  assert.equal(
    (await entries(dir)).length,
    4,
    "its downstream and private upstream pipes exist while it waits",
  );
  proc.child.kill("SIGINT");
  assert.equal(await proc.exited, 130);
  assert.match(proc.stderr(), /cpipe: interrupted\n$/);
  assert.match(proc.stderr(), /-> \{[^}]*"cmd":"cancel"/);
  assert.match(proc.stderr(), /-> \{[^}]*"cmd":"unsubscribe"/);
  assert.deepEqual(await entries(dir), ["tool-demo", "tool-demo-data"]);
  assert.equal((await cpipe(t, dir, ["demo", "ping"])).stdout, "pong\n", "the server is fine");
});

test("Ctrl-C mid-stream ends the streamed line, then exits 130", async (t) => {
  const dir = await tempDir(t);
  await startDemo(t, dir);
  const proc = startCpipe(t, dir, ["demo", "count", "-j", '{"n":100000,"interval_ms":50}']);
  await waitForStdout(proc, "12");
  proc.child.kill("SIGINT");
  assert.equal(await proc.exited, 130);
  assert.match(proc.stdout(), /^12[0-9]*\n$/);
  assert.equal(proc.stderr(), "cpipe: interrupted\n");
  assert.deepEqual(await entries(dir), ["tool-demo", "tool-demo-data"]);
});

test("--watch prints every broadcast until Ctrl-C, then unsubscribes and removes its pipes", async (t) => {
  const dir = await tempDir(t);
  await startDemo(t, dir);
  const watch = startCpipe(t, dir, ["--watch", "demo"]);
  // Its first line, once subscribed: a script can wait for it before making the tool broadcast.
  await waitForStdout(watch, "watching demo\n");
  await waitForStderr(watch, "cpipe: press Ctrl-C to stop watching demo\n");
  assert.equal((await cpipe(t, dir, ["demo", "shout", '{"x":1}'])).code, 0);
  await waitForStdout(watch, 'shout: {"x":1}\n');
  assert.equal((await cpipe(t, dir, ["demo", "set_state", "-j", '{"state":"busy"}'])).code, 0);
  await waitForStdout(watch, "state_changed: busy\n");
  assert.equal(
    watch.stdout(),
    'watching demo\nshout: {"x":1}\nstate_changed: busy\n',
    "replies to others are not shown",
  );
  watch.child.kill("SIGINT");
  assert.equal(await watch.exited, 130);
  assert.match(watch.stderr(), /cpipe: interrupted\n$/);
  assert.deepEqual(await entries(dir), ["tool-demo", "tool-demo-data"]);
});

test("--watch --jsonl prints raw broadcasts and exits 0 when the server stops", async (t) => {
  const dir = await tempDir(t);
  const server = await startDemo(t, dir);
  const watch = startCpipe(t, dir, ["--watch", "demo", "--jsonl"]);
  await waitForStdout(watch, '{"event":"watching","tool":"demo"}\n');
  server.child.kill("SIGTERM");
  assert.equal(await watch.exited, 0);
  assert.equal(
    watch.stdout(),
    '{"event":"watching","tool":"demo"}\n{"event":"state_changed","state":"stopping"}\n',
  );
  assert.match(watch.stderr(), /cpipe: demo stopped\n$/);
});
