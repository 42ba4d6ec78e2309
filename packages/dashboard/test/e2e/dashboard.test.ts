/**
 * End to end: the real cpipe opens the dashboard in a real terminal (tmux) against real demo
 * servers; keys are sent as a person types them and the screen is read back.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { test } from "node:test";
import { promisify } from "node:util";
import { CPIPE, startDemo, tempDir } from "named-pipe-tools-testkit";
import { colourCodes, cpipeExit, openDashboard, programPid, restoredTty } from "./helpers.js";

const run = promisify(execFile);

test("lists the demo as running; calling count with n=5 streams 1..5; Esc cancels a long stream on the server", async (t) => {
  const dir = await tempDir(t);
  await startDemo(t, dir);
  const { term } = await openDashboard(t, dir);
  await term.waitFor(/>demo\s+running\s/);

  await term.keys("Enter");
  await term.waitFor(/\[commands\]/);
  await term.waitFor(/>echo/);
  await term.keys("Down");
  await term.waitFor(/>count \(stream\)/);
  await term.keys("Enter");
  await term.waitFor(/demo › count/);
  await term.type("5");
  await term.keys("Enter");
  const done = await term.waitFor(/done in .* 5 items/);
  assert.match(done, /^12345$/m, "the five streamed tokens in order");
  assert.match(done, /→ \{"text":"","count":5\}/);

  // A long stream: 100000 tokens, 20 ms apart. Esc asks the server to cancel it.
  await term.keys("C-u");
  await term.type("100000");
  await term.keys("Down", "C-u");
  await term.type("20");
  await term.keys("Enter");
  await term.waitFor(/running · \d+ items · Esc cancels/);
  await term.keys("Escape");
  const cancelled = await term.waitFor(/✗ cancelled/);
  assert.match(cancelled, /the server cancelled it: cancelled/);
  assert.match(cancelled, /server: cancelled 1 request/);
  const items = Number(/✗ cancelled · (\d+) items/.exec(cancelled)?.[1]);
  assert.ok(items > 0 && items < 100000, `stopped part way, after ${items} items`);
});

test("a shout from another cpipe shows in the detail log; tools that appear and vanish show without a restart", async (t) => {
  const dir = await tempDir(t);
  await startDemo(t, dir);
  const { term } = await openDashboard(t, dir);
  await term.waitFor(/>demo\s+running/);
  await run(process.execPath, [CPIPE, "--dir", dir, "demo", "shout", '"hello from outside"']);
  await term.waitFor(/shout \{"data":"hello from outside"\}/);
  await term.keys("Enter");
  await term.waitFor(/\[commands\]/);
  await term.keys("Right", "Right");
  await term.waitFor(/\[log\]/);
  await term.waitFor(/shout \{"data":"hello from outside"\}/);
  await term.keys("Escape");

  // Another server appears, and goes.
  const other = await startDemo(t, dir, "other");
  await term.waitFor(/other\s+running/);
  other.child.kill("SIGTERM");
  await term.waitFor((s) => !/other\s+running/.test(s) && /demo\s+running/.test(s));
});

test("launching a demo server from the launch tab makes it appear in the list; q then stops it and exits 0", async (t) => {
  const dir = await tempDir(t);
  const dash = await openDashboard(t, dir);
  const { term } = dash;
  await term.waitFor(/no tools here yet/);
  await term.keys("2");
  await term.waitFor(/Server types/);
  await term.keys("Enter");
  await term.waitFor(/launch demo/);
  await term.waitFor(/>name\*\s+demo\s/);
  await term.keys("C-u");
  await term.type("launched");
  await term.keys("Enter");
  await term.waitFor(/launched demo pid \d+ ready/);
  await term.keys("1");
  await term.waitFor(/>launched\s+running\s/);

  await term.keys("q");
  await term.waitFor(/1 server launched here is running: s stops it/);
  await term.keys("s");
  const code = await cpipeExit(dash, async () => {
    assert.ok(restoredTty(await dash.ttyAfter()), await dash.ttyAfter());
    assert.equal(await term.format("#{alternate_on}"), "0", "back on the normal screen");
  });
  assert.equal(code, 0);
  // The server was stopped: its pipe is gone, so a ping finds no server.
  await assert.rejects(
    run(process.execPath, [CPIPE, "--dir", dir, "launched", "ping"]),
    /no server/,
  );
});

test("q quits with exit code 0 and the terminal restored; a bare cpipe on a terminal opens the dashboard", async (t) => {
  const dir = await tempDir(t);
  const dash = await openDashboard(t, dir, { args: [] });
  const { term } = dash;
  await term.waitFor(/1-3 tabs · q quit/);
  assert.equal(
    await term.format("#{alternate_on}"),
    "1",
    "the dashboard uses the alternate screen",
  );
  assert.equal(await term.format("#{cursor_flag}"), "0", "with the cursor hidden");
  await term.keys("q");
  const code = await cpipeExit(dash, async () => {
    const tty = await dash.ttyAfter();
    assert.ok(restoredTty(tty), `line editing and echo are back:\n${tty}`);
    assert.equal(await term.format("#{alternate_on}"), "0");
    assert.equal(await term.format("#{cursor_flag}"), "1", "the cursor is visible again");
    assert.doesNotMatch(
      await term.screen(),
      /cpipe dashboard/,
      "the shell's screen, not the dashboard's",
    );
  });
  assert.equal(code, 0);
});

test("a call in the history is copied as the cpipe command line that makes the same call", async (t) => {
  const dir = await tempDir(t);
  await startDemo(t, dir);
  const { term } = await openDashboard(t, dir);
  await term.waitFor(/>demo\s+running/);
  await term.keys("Enter");
  await term.waitFor(/>echo/);
  await term.keys("Enter");
  await term.waitFor(/demo › echo/);
  await term.type('{"it\'s":[1,2]}');
  await term.keys("Enter");
  await term.waitFor(/done in/);
  await term.keys("Escape");
  await term.waitFor(/\[commands\]/);
  await term.keys("Left");
  await term.waitFor(/\[history\]/);
  await term.waitFor(/>#1 echo/);
  await term.keys("y");
  await term.waitFor(/copied the command line/);
  const line = await term.tmux(["show-buffer"]);
  // The pipe directory is the default here ($PIPE_TOOLS_DIR), so the line does not name it.
  assert.equal(line, `cpipe demo echo -j '{"data":{"it'\\''s":[1,2]}}'`);
  // The copied line, run by a shell in the same environment, makes the same call.
  const { stdout } = await run(
    "/bin/sh",
    ["-c", line.replace(/^cpipe /, `${process.execPath} ${CPIPE} `)],
    {
      env: { ...process.env, PIPE_TOOLS_DIR: dir },
    },
  );
  assert.equal(stdout.trim(), '{"it\'s":[1,2]}');
});

test("NO_COLOR draws without colour; a resize redraws the frame at the new size", async (t) => {
  const dir = await tempDir(t);
  await startDemo(t, dir);
  const coloured = await openDashboard(t, dir);
  await coloured.term.waitFor(/>demo\s+running/);
  assert.ok(colourCodes(await coloured.term.screen(true)).length > 0, "colours by default");

  const plain = await openDashboard(t, dir, { env: { NO_COLOR: "1" } });
  const { term } = plain;
  await term.waitFor(/>demo\s+running/);
  assert.deepEqual(colourCodes(await term.screen(true)), [], "no colour with NO_COLOR");

  // The rule under the table spans the width; the key help sits on the last row.
  const rule = (screen: string): number =>
    Math.max(...screen.split("\n").map((l) => /─+/.exec(l)?.[0].length ?? 0));
  const lastRow = (screen: string, rows: number): string => screen.split("\n")[rows - 1] ?? "";
  assert.ok(rule(await term.screen()) <= 80);
  for (const [columns, rows] of [
    [120, 40],
    [60, 16],
  ] as const) {
    await term.tmux(["resize-window", "-x", String(columns), "-y", String(rows)]);
    const screen = await term.waitFor(
      (s) => rule(s) > columns - 5 && rule(s) <= columns && /q quit/.test(lastRow(s, rows)),
      10_000,
    );
    assert.match(screen, /demo\s+running/, `still listed at ${columns}x${rows}`);
  }
  await term.keys("q");
  assert.equal(await cpipeExit(plain), 0);
});

test("SIGTERM and a crash in the UI both give the terminal back", async (t) => {
  const dir = await tempDir(t);
  const dash = await openDashboard(t, dir);
  await dash.term.waitFor(/q quit/);
  process.kill(await programPid(dash.term), "SIGTERM");
  const code = await cpipeExit(dash, async () => {
    assert.ok(restoredTty(await dash.ttyAfter()), "line editing and echo are back");
    assert.equal(await dash.term.format("#{alternate_on}"), "0");
    assert.equal(await dash.term.format("#{cursor_flag}"), "1");
  });
  assert.equal(code, 143, "128 + SIGTERM");

  // The dashboard's own full-screen runner with a UI that throws while rendering.
  const crash = await openDashboard(t, dir, {
    script: new URL("../fixtures/crash.js", import.meta.url).pathname,
    env: { CI: "false" },
    waitFor: /about to crash: press c/,
  });
  assert.equal(await crash.term.format("#{alternate_on}"), "1");
  await crash.term.type("c");
  const crashed = await cpipeExit(crash, async () => {
    assert.ok(restoredTty(await crash.ttyAfter()), "line editing and echo are back");
    assert.equal(await crash.term.format("#{alternate_on}"), "0");
    assert.equal(await crash.term.format("#{cursor_flag}"), "1");
    assert.match(
      await crash.term.screen(),
      /the dashboard crashed: Error: a render that fails on purpose/,
    );
  });
  assert.equal(crashed, 1);
});
