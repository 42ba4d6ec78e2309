/**
 * `cpipe --serve TYPE --detach` returns only once the background server answers ping, so the
 * next command can use it at once; a server that fails to start is reported with its log.
 */
import assert from "node:assert/strict";
import { stat } from "node:fs/promises";
import path from "node:path";
import type { TestContext } from "node:test";
import { test } from "node:test";
import { CPIPE, isAlive as alive, spawnNode, tempDir, until } from "named-pipe-tools-testkit";
import type { CpipeResult } from "./run-cpipe.js";
import { cpipe } from "./run-cpipe.js";

/** Runs cpipe with its pipes and its temporary files (the detached server's log) under `dir`. */
async function run(t: TestContext, dir: string, args: string[]): Promise<CpipeResult> {
  const proc = spawnNode(t, CPIPE, args, { PIPE_TOOLS_DIR: dir, TMPDIR: dir });
  proc.child.stdin?.end();
  const code = await proc.exited;
  return { code, stdout: proc.stdout(), stderr: proc.stderr() };
}

/** Kills the detached server named in a `ready ... (pid N, ...)` line after the test. */
function reap(t: TestContext, stdout: string): number {
  const pid = Number(/\(pid (\d+),/.exec(stdout)?.[1]);
  t.after(() => {
    if (pid > 0 && alive(pid)) process.kill(pid, "SIGKILL");
  });
  return pid;
}

test("--detach returns once the server answers ping, printing its pid, pipe and log", async (t) => {
  const dir = await tempDir(t);
  const started = await run(t, dir, ["--serve", "demo", "--name", "bg", "--detach"]);
  const pid = reap(t, started.stdout);
  assert.equal(started.code, 0, started.stderr);
  const match = /^ready (\S+) \(pid (\d+), log (\S+)\)\n$/.exec(started.stdout);
  assert.ok(match !== null, started.stdout);
  assert.equal(match[1], path.join(dir, "tool-bg"));
  assert.ok(alive(pid), "the server runs on after cpipe returned");
  assert.equal((await stat(match[3]!)).mode & 0o777, 0o600, "its log is private");
  // No wait: the very next command finds it.
  assert.deepEqual(await cpipe(t, dir, ["bg", "ping"]), { code: 0, stdout: "pong\n", stderr: "" });
  assert.equal((await cpipe(t, dir, ["bg", "stop"])).code, 0);
  await until(() => !alive(pid), 10_000, "the detached server to exit");
});

test("--detach of a server that cannot start fails with the last lines of its log", async (t) => {
  const dir = await tempDir(t);
  const first = await run(t, dir, ["--serve", "demo", "--detach"]);
  reap(t, first.stdout);
  assert.equal(first.code, 0, first.stderr);
  const second = await run(t, dir, ["--serve", "demo", "--detach"]);
  assert.equal(second.code, 1);
  assert.equal(second.stdout, "");
  assert.match(
    second.stderr,
    /^cpipe: --serve demo exited with code 1 before it was ready; last lines of its log \S+:\ncpipe: --serve demo: tool 'demo' is already served/,
  );
  const usage = await run(t, dir, ["--serve", "demo", "--detach", "extra"]);
  assert.equal(usage.code, 2, "a usage error keeps its exit code");
  assert.match(usage.stderr, /unexpected argument 'extra'|extra/);
});
