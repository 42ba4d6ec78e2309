/**
 * The app rendered with Ink's own test renderer (ink-testing-library) against a real demo
 * server: what each view shows and how the keys move through it, without a terminal.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { serveDemo, startDemo, tempDir } from "named-pipe-tools-testkit";
import type { Rendered } from "./render-app.js";
import { KEY, renderApp } from "./render-app.js";

/** Opens the demo's `count` form from the tools table; resolves with its first frame. */
async function openCount(app: Rendered): Promise<string> {
  await app.waitFor(/demo\s+running/);
  await app.press(KEY.enter);
  await app.waitFor(/>echo/);
  await app.press(KEY.down, KEY.enter);
  return app.waitFor(/demo › count/);
}

test("the tools table shows the demo with its state, ping, pid and description; fits 80×24", async (t) => {
  // A server process of its own: the pid of the dashboard's own process is never reported.
  const dir = await tempDir(t);
  await startDemo(t, dir);
  const app = await renderApp(t, dir);
  // The row comes with the first ping; the interfaces line once they have been read.
  const frame = await app.waitFor(
    (f) =>
      /> ?demo\s+running\s+\d+(\.\d+)?ms\s+\d+/.test(f) &&
      /interfaces base, demo · commands echo count sleep fail shout set_state/.test(f),
  );
  assert.match(frame, /NAME\s+STATE\s+PING\s+PID\s+UP\s+DESCRIPTION/);
  const lines = frame.split("\n");
  assert.ok(lines.length <= 24, `${lines.length} lines`);
  for (const line of lines) assert.ok([...line].length <= 80, `too wide: ${line}`);
  assert.match(lines.at(-1) ?? "", /↑↓ select · ⏎ open · x stop · r rescan · 1-3 tabs · q quit/);
});

test("the call form is generated from the schema, with defaults, and shows mistakes inline before sending", async (t) => {
  const { dir } = await serveDemo(t);
  const app = await renderApp(t, dir);
  let frame = await openCount(app);
  assert.match(frame, />n\*\s+integer 0\.\.1000000/, "required, with its range");
  assert.match(frame, /interval_ms\s+0\s+integer 0\.\.60000/, "the default filled in");

  await app.press("a", "b", "c", KEY.enter);
  frame = await app.waitFor(/✗ n must be a number, got 'abc'/);
  await app.press(KEY.ctrlU, "2", "0", "0", "0", "0", "0", "0", KEY.enter);
  frame = await app.waitFor(/✗ n must be ≤ 1000000/);
  assert.equal(app.calls.getSnapshot().calls.length, 0, "nothing was sent");

  await app.press(KEY.ctrlU, "3", KEY.enter);
  frame = await app.waitFor(/done in .* 3 items/);
  assert.match(frame, /^123$/m);
  assert.deepEqual(app.calls.getSnapshot().calls[0]?.args, { n: 3, interval_ms: 0 });
});

test("keys that come faster than the screen redraws are each applied, in order", async (t) => {
  const { dir } = await serveDemo(t);
  const app = await renderApp(t, dir);
  await openCount(app);
  // A burst: edits, a clear, a field change and the send, none waiting for a redraw.
  app.burst("9", "9", KEY.ctrlU, "1", "2", KEY.tab, KEY.ctrlU, "5", KEY.enter);
  await app.waitFor(/done in .* 12 items/);
  assert.deepEqual(app.calls.getSnapshot().calls[0]?.args, { n: 12, interval_ms: 5 });

  // The same in JSON mode: back to the list, open count again, switch to JSON, edit and send,
  // all in one burst.
  await app.press(KEY.esc);
  await app.waitFor(/\[commands\]/);
  app.burst(KEY.down, KEY.enter, KEY.ctrlT, KEY.ctrlU, ...'{"n":3}', KEY.enter);
  await app.waitFor(/done in .* 3 items/);
  assert.deepEqual(app.calls.getSnapshot().calls[1]?.args, { n: 3 });
});

test("JSON mode edits all arguments as one object, checked against the schema", async (t) => {
  const { dir } = await serveDemo(t);
  const app = await renderApp(t, dir);
  await openCount(app);
  await app.press("4", KEY.ctrlT);
  let frame = await app.waitFor(/> args \{"n":4,"interval_ms":0\}/);
  await app.press(KEY.ctrlU, ...'{"n":2,"bogus":1}', KEY.enter);
  frame = await app.waitFor(/✗ bogus is not an argument of this command/);
  await app.press(KEY.ctrlU, ...'{"n":2}', KEY.enter);
  frame = await app.waitFor(/done in .* 2 items/);
  assert.match(frame, /^12$/m);
});

test("q quits at once when nothing was launched; the tabs switch with 1-3", async (t) => {
  const { dir } = await serveDemo(t);
  const app = await renderApp(t, dir, {
    gatherInfo: async () => [
      { title: "Machine", lines: [{ label: "node", value: process.version }] },
    ],
  });
  await app.waitFor(/demo\s+running/);
  await app.press("3");
  await app.waitFor(new RegExp(`node\\s+${process.version.replaceAll(".", "\\.")}`));
  await app.press("2");
  await app.waitFor(/Server types[\s\S]*>demo\s+the demo tool/);
  await app.press("1");
  await app.waitFor(/NAME\s+STATE/);
  await app.press("q");
  assert.deepEqual(app.quits, [{ keep: false }]);
});

test("a tool that goes away leaves the table; stopping one asks first", async (t) => {
  const dir = await tempDir(t);
  const demo = await startDemo(t, dir);
  const app = await renderApp(t, dir);
  await app.waitFor(/demo\s+running\s+\S+\s+\d+/);
  await app.press("x");
  await app.waitFor(new RegExp(`Stop tool 'demo' \\(pid ${demo.child.pid}\\)\\? y/N`));
  await app.press("n");
  await app.waitFor((f) => !/Stop tool/.test(f));
  assert.equal(demo.child.exitCode, null, "n keeps it");
  await app.press("x");
  await app.waitFor(/Stop tool 'demo'/);
  await app.press("y");
  assert.equal(await demo.exited, 0, "it stopped cleanly");
  await app.waitFor(/no tools here yet/);
});
