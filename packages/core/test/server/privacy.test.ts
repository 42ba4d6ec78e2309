import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { ToolClient, ToolServer } from "../../src/index.js";
import { createDemoServer } from "../../src/demo/index.js";
import { createFifo } from "../../src/transport/fifo.js";
import { entries, serveDemo, tempDir, until } from "named-pipe-tools-testkit";

const code = (c: string) => (err: Error & { code?: string }) => err.code === c;
const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;

test("server and client pipes are created 0600", async (t) => {
  const dir = await tempDir(t);
  const server = await createDemoServer({ dir, log: null, handleSignals: false }).listen();
  t.after(() => server.close());
  await using _client = await ToolClient.connect("demo", { dir, data: true });
  const names = await entries(dir);
  assert.equal(names.length, 6, "2 of the server, 4 of the client (its up and down pipes)");
  for (const name of names) {
    const st = await fs.lstat(path.join(dir, name));
    assert.ok(st.isFIFO(), name);
    assert.equal(st.mode & 0o777, 0o600, name);
  }
});

test("a server refuses a planted symlink or regular file at its pipe path, and leaves it alone", async (t) => {
  const dir = await tempDir(t);
  const target = path.join(dir, "victim");
  await fs.writeFile(target, "precious");
  await fs.symlink(target, path.join(dir, "tool-linked"));
  await assert.rejects(
    new ToolServer({ name: "linked", dir, log: null, handleSignals: false }).listen(),
    code("EUNSAFEPIPE"),
  );
  await fs.writeFile(path.join(dir, "tool-filed"), "a file");
  await assert.rejects(
    new ToolServer({ name: "filed", dir, log: null, handleSignals: false }).listen(),
    code("EUNSAFEPIPE"),
  );
  assert.equal(await fs.readFile(target, "utf8"), "precious");
  assert.equal(await fs.readFile(path.join(dir, "tool-filed"), "utf8"), "a file");
  assert.ok((await fs.lstat(path.join(dir, "tool-linked"))).isSymbolicLink());
});

test("a client refuses a symlinked upstream pipe", async (t) => {
  const dir = await tempDir(t);
  const server = await createDemoServer({ dir, log: null, handleSignals: false }).listen();
  t.after(() => server.close());
  await fs.symlink(path.join(dir, "tool-demo"), path.join(dir, "tool-alias"));
  await assert.rejects(ToolClient.connect("alias", { dir }), code("EUNSAFEPIPE"));
});

test("starting a server never deletes other tools' pipes, live or orphaned", async (t) => {
  const dir = await tempDir(t);
  const other = await createDemoServer({
    dir,
    name: "other",
    log: null,
    handleSignals: false,
  }).listen();
  t.after(() => other.close());
  await createFifo(path.join(dir, "tool-orphan"));
  await createFifo(path.join(dir, "tool-orphan-123"));
  const server = await createDemoServer({ dir, log: null, handleSignals: false }).listen();
  t.after(() => server.close());
  const names = await entries(dir);
  for (const name of ["tool-other", "tool-other-data", "tool-orphan", "tool-orphan-123"])
    assert.ok(names.includes(name), name);
});

test(
  "another user's pipe at our path is refused, never taken over or removed",
  { skip: !isRoot && "needs root to create another user's FIFO" },
  async (t) => {
    const dir = await tempDir(t);
    const p = path.join(dir, "tool-theirs");
    await createFifo(p);
    await fs.chown(p, NOBODY, NOBODY);
    await assert.rejects(
      new ToolServer({ name: "theirs", dir, log: null, handleSignals: false }).listen(),
      (err: Error & { code?: string }) => {
        assert.equal(err.code, "EUNSAFEPIPE");
        assert.match(err.message, /owned by uid 65534/);
        return true;
      },
    );
    assert.equal((await fs.lstat(p)).uid, NOBODY);
  },
);

test(
  "a subscribe naming another user's process is refused",
  { skip: !isRoot && "needs root to start another user's process" },
  async (t) => {
    const { dir, server, logs } = await serveDemo(t);
    const theirs = spawn("sleep", ["60"], { uid: NOBODY, gid: NOBODY, stdio: "ignore" });
    t.after(() => theirs.kill("SIGKILL"));
    await new Promise((resolve) => theirs.once("spawn", resolve));
    const down = path.join(dir, `tool-demo-${theirs.pid}`);
    await createFifo(down);
    const reader = await fs.open(down, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    t.after(() => reader.close());
    await fs.appendFile(
      path.join(dir, "tool-demo"),
      JSON.stringify({ pid: theirs.pid, cmd: "subscribe" }) + "\n",
    );
    await until(
      () => logs.some((l) => l.includes(`refused subscribe from ${theirs.pid}`)),
      3000,
      "refusal",
    );
    assert.match(logs.join("\n"), /belongs to uid 65534/);
    assert.equal(server.subscribers.length, 0);
  },
);

test("a subscribe naming a process that does not exist is refused", async (t) => {
  const { dir, server, logs } = await serveDemo(t);
  await fs.appendFile(
    path.join(dir, "tool-demo"),
    JSON.stringify({ pid: 4194303, cmd: "subscribe" }) + "\n",
  );
  await until(
    () => logs.some((l) => /refused subscribe from 4194303: no such process/.test(l)),
    3000,
    "refusal",
  );
  assert.equal(server.subscribers.length, 0);
});
