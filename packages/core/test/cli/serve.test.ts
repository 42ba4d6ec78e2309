import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { ROOT, entries, tempDir } from "named-pipe-tools-testkit";
import { cpipe, startCpipe, waitForStdout } from "./run-cpipe.js";

test("--serve demo --name --dir: prints ready, serves, and stops on the stop command", async (t) => {
  const dir = await tempDir(t);
  const pipes = path.join(dir, "pipes");
  const server = startCpipe(t, dir, ["--serve", "demo", "--name", "other", "--dir", pipes]);
  await waitForStdout(server, `ready ${pipes}/tool-other\n`);
  assert.equal((await cpipe(t, dir, ["other", "ping", "--dir", pipes])).stdout, "pong\n");
  assert.equal((await cpipe(t, dir, [`${pipes}/tool-other`, "get_description"])).code, 0);

  const stop = await cpipe(t, dir, ["other", "stop", "--dir", pipes]);
  assert.equal(stop.code, 0, stop.stderr);
  assert.equal(await server.exited, 0);
  assert.equal(server.stderr(), "cpipe: other stopped\n");
  assert.deepEqual(await entries(pipes), [], "it removed its pipes");
});

test("--serve demo stops cleanly on SIGINT and SIGTERM, in the default directory", async (t) => {
  const dir = await tempDir(t);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    const server = startCpipe(t, dir, ["--serve", "demo"]);
    await waitForStdout(server, `ready ${dir}/tool-demo\n`);
    server.child.kill(signal);
    assert.equal(await server.exited, 0, signal);
    assert.deepEqual(await entries(dir), []);
  }
});

test("--serve a name already served: exit 1 and say so", async (t) => {
  const dir = await tempDir(t);
  const first = startCpipe(t, dir, ["--serve", "demo"]);
  await waitForStdout(first, "ready ");
  const second = await cpipe(t, dir, ["--serve", "demo"]);
  assert.equal(second.code, 1);
  assert.match(second.stderr, /^cpipe: --serve demo: tool 'demo' is already served/);
  assert.equal((await cpipe(t, dir, ["demo", "ping"])).stdout, "pong\n", "the first is untouched");
});

test("--serve of a type whose package is absent says how to get it; unknown types and bad options are usage errors", async (t) => {
  const dir = await tempDir(t);
  const missing = await cpipe(t, dir, ["--serve", "no-such-package-xyz"]);
  assert.equal(missing.code, 1);
  assert.match(
    missing.stderr,
    /^cpipe: --serve no-such-package-xyz: no-such-package-xyz is not installed; install it with: npm ci/,
  );
  const unknown = await cpipe(t, dir, ["--serve", "toaster!"]);
  assert.equal(unknown.code, 2);
  assert.match(
    unknown.stderr,
    /unknown server type 'toaster!' \(ready-made types: demo, chat, tts, stt, mcp;/,
  );
  const extra = await cpipe(t, dir, ["--serve", "demo", "extra"]);
  assert.equal(extra.code, 2);
  assert.match(
    extra.stderr,
    /^cpipe: --serve demo: unexpected argument 'extra' \(options start with --\); see 'cpipe --serve demo --help'\n$/,
  );
  const help = await cpipe(t, dir, ["--serve", "demo", "--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^demo: the demo tool/);
  assert.match(help.stdout, /--config FILE/);
});

test("--version and --help", async (t) => {
  const dir = await tempDir(t);
  const pkg = JSON.parse(await readFile(path.join(ROOT, "packages/core/package.json"), "utf8")) as {
    version: string;
  };
  assert.deepEqual(await cpipe(t, dir, ["--version"]), {
    code: 0,
    stdout: `cpipe ${pkg.version}\n`,
    stderr: "",
  });
  const help = await cpipe(t, dir, ["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage:$/m);
  assert.match(
    help.stdout,
    /^Exit codes: 0 ok; 1 error reply, timeout or no server; 2 bad usage; 130 interrupted\.$/m,
  );
});
