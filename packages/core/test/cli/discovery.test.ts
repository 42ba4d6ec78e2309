import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chown, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { entries, spawnNode, startDemo, tempDir } from "named-pipe-tools-testkit";
import { cpipe, startCpipe, waitForStderr } from "./run-cpipe.js";

const HOUR_AGO = new Date(Date.now() - 3_600_000);
// Within the one-second grace period for the whole test, however slow the machine.
const JUST_NOW = new Date(Date.now() + 60_000);

/** A pid that belonged to a process which has exited. */
async function deadPid(t: Parameters<typeof tempDir>[0]): Promise<number> {
  const proc = spawnNode(t, "-e", ["0"]);
  await proc.exited;
  return proc.child.pid!;
}

async function orphanFifo(dir: string, name: string, mtime = HOUR_AGO): Promise<string> {
  const p = path.join(dir, name);
  execFileSync("mkfifo", ["-m", "600", p]);
  await utimes(p, mtime, mtime);
  return p;
}

test("--list, --pid and --clear: live tools with state, orphans found and removed, nothing live touched", async (t) => {
  const dir = await tempDir(t);
  const server = await startDemo(t, dir);
  const watcher = startCpipe(t, dir, ["--watch", "demo"]);
  await waitForStderr(watcher, "watching demo");
  const dead = await deadPid(t);
  await orphanFifo(dir, "tool-old");
  await orphanFifo(dir, "tool-old-data");
  await orphanFifo(dir, `tool-demo-${dead}-c0123abcd`);
  await orphanFifo(dir, "tool-young", JUST_NOW); // just made: its server may be about to open it
  await writeFile(path.join(dir, "tool-file"), "not a pipe");

  const list = await cpipe(t, dir, ["--list"]);
  assert.equal(list.code, 0, list.stderr);
  const lines = list.stdout.split("\n");
  assert.equal(lines[0], `${dir}: 2 tools, 3 orphaned pipes`);
  assert.match(list.stdout, /^ {2}demo +running +Demo tool: echo/m);
  assert.match(list.stdout, /^ {2}young +\(starting: its pipe exists but nothing reads it yet\)$/m);
  assert.match(list.stdout, new RegExp(`^orphaned pipes .*'cpipe --clear ${dir}'\\):$`, "m"));
  for (const name of ["tool-old", "tool-old-data", `tool-demo-${dead}-c0123abcd`]) {
    assert.ok(lines.includes(`  ${path.join(dir, name)}`), `${name} listed as orphaned`);
  }
  assert.doesNotMatch(list.stdout, /tool-file/);

  const pid = await cpipe(t, dir, ["--pid", dir]);
  assert.equal(pid.code, 0, pid.stderr);
  assert.match(pid.stdout, new RegExp(`^ +server: ${server.child.pid} \\(\\S+\\)$`, "m"));
  assert.match(pid.stdout, new RegExp(`^ +clients: ${watcher.child.pid} \\(\\S+\\)$`, "m"));

  const jsonl = await cpipe(t, dir, ["--list", "--jsonl"]);
  const objects = jsonl.stdout
    .trimEnd()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const demo = objects.find((o) => o["tool"] === "demo" && o["type"] === "tool");
  assert.equal(demo?.["state"], "running");
  assert.equal(objects.filter((o) => o["type"] === "orphaned").length, 3);

  const before = await entries(dir);
  const clear = await cpipe(t, dir, ["--clear"]);
  assert.equal(clear.code, 0, clear.stderr);
  assert.match(clear.stdout, /^removed 3 orphaned pipes:$/m);
  assert.match(clear.stdout, /^skipped 1 pipe made less than a second ago/m);
  const after = await entries(dir);
  assert.deepEqual(
    before.filter((n) => !after.includes(n)).sort(),
    ["tool-old", "tool-old-data", `tool-demo-${dead}-c0123abcd`].sort(),
  );
  assert.ok(
    after.includes("tool-demo") && after.includes("tool-young") && after.includes("tool-file"),
  );
  assert.equal(
    // Its downstream pipe and its private upstream pipe.
    after.filter((n) => n.startsWith(`tool-demo-${watcher.child.pid}-`)).length,
    2,
    "the watcher's pipe stays",
  );

  const again = await cpipe(t, dir, ["--clear", "--dir", dir]);
  assert.match(again.stdout, new RegExp(`^no orphaned pipes in ${dir}$`, "m"));
  watcher.child.kill("SIGINT");
  assert.equal(await watcher.exited, 130);
});

test(
  "--clear never removes another user's pipe, and --list leaves it alone",
  { skip: process.getuid?.() !== 0 && "needs root to make another user's pipe" },
  async (t) => {
    const dir = await tempDir(t);
    const foreign = await orphanFifo(dir, "tool-theirs");
    await chown(foreign, 65534, 65534);
    await utimes(foreign, HOUR_AGO, HOUR_AGO);
    const list = await cpipe(t, dir, ["--list"]);
    assert.match(list.stdout, /^1 pipe of other users \(left alone\)$/m);
    const clear = await cpipe(t, dir, ["--clear"]);
    assert.equal(clear.code, 0);
    assert.deepEqual(await entries(dir), ["tool-theirs"]);
  },
);

test("--list on an empty or missing directory", async (t) => {
  const dir = await tempDir(t);
  const empty = await cpipe(t, dir, ["--list"]);
  assert.deepEqual(empty, { code: 0, stdout: `no tool pipes in ${dir}\n`, stderr: "" });
  const missing = await cpipe(t, dir, ["--list", path.join(dir, "nope")]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^cpipe: cannot read .*nope: no such directory\n$/);
});

test("--list -r finds tools in subdirectories", async (t) => {
  const dir = await tempDir(t);
  const sub = path.join(dir, "inner");
  await startDemo(t, sub, "deep");
  const flat = await cpipe(t, dir, ["--list"]);
  assert.equal(flat.stdout, `no tool pipes in ${dir}\n`);
  const deep = await cpipe(t, dir, ["--list", "-r"]);
  assert.match(deep.stdout, new RegExp(`^${sub}: 1 tool, 0 orphaned pipes$`, "m"));
  assert.match(deep.stdout, /^ {2}deep +running +Demo tool/m);
});
