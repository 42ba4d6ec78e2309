import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import {
  createFifo,
  ensurePipeDir,
  hasReader,
  openFifo,
  removeFifo,
} from "../../src/transport/fifo.js";
import { tempDir } from "named-pipe-tools-testkit";

const code = (c: string) => (err: Error & { code?: string }) => err.code === c;

test("createFifo makes a FIFO private to its user (0600)", async (t) => {
  const dir = await tempDir(t);
  const p = path.join(dir, "tool-x");
  await createFifo(p);
  const st = await fs.lstat(p);
  assert.ok(st.isFIFO());
  assert.equal(st.mode & 0o777, 0o600);
  await assert.rejects(createFifo(p), /already exists/);
});

test("openFifo refuses symlinks and non-FIFOs", async (t) => {
  const dir = await tempDir(t);
  const real = path.join(dir, "real");
  await createFifo(real);
  const link = path.join(dir, "tool-link");
  await fs.symlink(real, link);
  await assert.rejects(openFifo(link, "readwrite"), code("EUNSAFEPIPE"));
  const file = path.join(dir, "tool-file");
  await fs.writeFile(file, "not a pipe");
  await assert.rejects(openFifo(file, "readwrite"), code("EUNSAFEPIPE"));
});

test("hasReader tells a read pipe from an orphan without blocking", async (t) => {
  const dir = await tempDir(t);
  const p = path.join(dir, "tool-y");
  assert.equal(await hasReader(p), false, "missing");
  await createFifo(p);
  assert.equal(await hasReader(p), false, "orphan");
  const fd = await openFifo(p, "readwrite");
  t.after(() =>
    fs.open("/dev/null").then(async (h) => {
      await h.close();
      (await import("node:fs")).closeSync(fd);
    }),
  );
  assert.equal(await hasReader(p), true, "held");
});

test("removeFifo removes only FIFOs, never files or symlink targets", async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, "tool-file");
  await fs.writeFile(file, "keep me");
  assert.equal(await removeFifo(file), false);
  assert.equal(await fs.readFile(file, "utf8"), "keep me");
  const target = path.join(dir, "target");
  await createFifo(target);
  const link = path.join(dir, "tool-link");
  await fs.symlink(target, link);
  assert.equal(await removeFifo(link), false);
  assert.ok((await fs.lstat(target)).isFIFO());
  assert.equal(await removeFifo(target), true);
  assert.equal(await removeFifo(target), false);
});

test("ensurePipeDir creates 0700 directories and refuses symlinks and files", async (t) => {
  const dir = await tempDir(t);
  const fresh = path.join(dir, "a", "b");
  await ensurePipeDir(fresh);
  assert.equal((await fs.stat(fresh)).mode & 0o777, 0o700);
  await ensurePipeDir(fresh);
  const link = path.join(dir, "link");
  await fs.symlink(fresh, link);
  await assert.rejects(ensurePipeDir(link), code("EUNSAFEPIPE"));
  const file = path.join(dir, "file");
  await fs.writeFile(file, "");
  await assert.rejects(ensurePipeDir(file), code("EUNSAFEPIPE"));
});
