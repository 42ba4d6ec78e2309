/**
 * The private pipe directory is accepted only when it is ours with no group or other bits: a
 * directory another user made first under our private name (even sticky 1777, like /tmp) is
 * refused, by `privatePipeDir()` and by a server asked to listen there.
 */
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import type { TestContext } from "node:test";
import { test } from "node:test";
import { ToolServer, privatePipeDir } from "../../src/index.js";
import { ensurePipeDir } from "../../src/transport/fifo.js";
import { tempDir } from "named-pipe-tools-testkit";

const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;
const code = (c: string) => (err: Error & { code?: string }) => err.code === c;

/** Points $XDG_RUNTIME_DIR at a fresh directory for this test; returns the private path. */
async function privateUnder(t: TestContext): Promise<string> {
  const runtime = await tempDir(t);
  const saved = process.env["XDG_RUNTIME_DIR"];
  process.env["XDG_RUNTIME_DIR"] = runtime;
  t.after(() => {
    if (saved === undefined) delete process.env["XDG_RUNTIME_DIR"];
    else process.env["XDG_RUNTIME_DIR"] = saved;
  });
  return path.join(runtime, "named-pipe-tools");
}

test("privatePipeDir() creates the directory 0700 and accepts it again", async (t) => {
  const expected = await privateUnder(t);
  assert.equal(privatePipeDir(), expected);
  assert.equal((await fs.lstat(expected)).mode & 0o7777, 0o700);
  assert.equal(privatePipeDir(), expected);
});

test(
  "a sticky world-writable directory another user made under our private name is refused",
  { skip: !isRoot && "needs root to create another user's directory" },
  async (t) => {
    const dir = await privateUnder(t);
    await fs.mkdir(dir);
    await fs.chmod(dir, 0o1777);
    await fs.chown(dir, NOBODY, NOBODY);
    assert.throws(() => privatePipeDir(), code("EUNSAFEPIPE"));
    assert.throws(() => privatePipeDir(), /owned by uid 65534, not by you/);
    // A server pointed there by path (PIPE_TOOLS_DIR or `dir`) refuses it too.
    const server = new ToolServer({ name: "x", dir, log: null, handleSignals: false });
    await assert.rejects(server.listen(), code("EUNSAFEPIPE"));
    assert.deepEqual(await fs.readdir(dir), [], "nothing was created in it");
  },
);

test("our own private directory with group or other bits is refused, with the fix", async (t) => {
  const dir = await privateUnder(t);
  await fs.mkdir(dir);
  await fs.chmod(dir, 0o1777);
  assert.throws(() => privatePipeDir(), /mode is 1777: group or others have access \(chmod 700/);
  await fs.chmod(dir, 0o750);
  await assert.rejects(ensurePipeDir(dir), /mode is 0750/);
  await fs.chmod(dir, 0o700);
  assert.equal(privatePipeDir(), dir);
  await ensurePipeDir(dir);
});

test("a symlink at the private path is refused", async (t) => {
  const dir = await privateUnder(t);
  const target = `${dir}-target`;
  await fs.mkdir(target, { mode: 0o700 });
  await fs.symlink(target, dir);
  assert.throws(() => privatePipeDir(), /not a directory/);
  await assert.rejects(ensurePipeDir(dir), code("EUNSAFEPIPE"));
});

test("ensurePipeDir({ private: true }) holds any directory to the private rule", async (t) => {
  const shared = await tempDir(t);
  await fs.chmod(shared, 0o1777);
  await ensurePipeDir(shared); // fine as a shared sticky directory, like /tmp
  await assert.rejects(ensurePipeDir(shared, { private: true }), code("EUNSAFEPIPE"));
});
