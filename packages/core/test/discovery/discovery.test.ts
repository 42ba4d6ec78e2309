import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { utimes } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import {
  clearOrphans,
  findHolders,
  parsePipeName,
  pidAlive,
  scanPipes,
} from "../../src/discovery/index.js";
import { entries, startDemo, tempDir } from "named-pipe-tools-testkit";

test("parsePipeName tells upstream, data, and client pipes apart", () => {
  assert.deepEqual(parsePipeName("tool-chat"), { role: "upstream", tool: "chat" });
  assert.deepEqual(parsePipeName("tool-chat-data"), { role: "data", tool: "chat" });
  assert.deepEqual(parsePipeName("tool-chat-1234"), {
    role: "downstream",
    tool: "chat",
    pid: 1234,
  });
  assert.deepEqual(parsePipeName("tool-my-tool-1234-c0a1"), {
    role: "downstream",
    tool: "my-tool",
    pid: 1234,
    client: "c0a1",
  });
  assert.deepEqual(parsePipeName("tool-chat-data-77-cff"), {
    role: "data-downstream",
    tool: "chat",
    pid: 77,
    client: "cff",
  });
  assert.equal(parsePipeName("pipe_data"), null);
  assert.equal(parsePipeName("tool-"), null);
  assert.equal(pidAlive(process.pid), true);
  assert.equal(pidAlive(0), false);
});

test("scanPipes, findHolders and clearOrphans on a live server and stale pipes", async (t) => {
  const dir = await tempDir(t);
  const server = await startDemo(t, dir);
  const old = new Date(Date.now() - 60_000);
  for (const name of ["tool-gone", "tool-gone-data"]) {
    execFileSync("mkfifo", [path.join(dir, name)]);
    await utimes(path.join(dir, name), old, old);
  }
  const pipes = await scanPipes(dir);
  assert.deepEqual(
    pipes.map((p) => [path.basename(p.path), p.role, p.status]),
    [
      ["tool-demo", "upstream", "live"],
      ["tool-demo-data", "data", "live"],
      ["tool-gone", "upstream", "orphaned"],
      ["tool-gone-data", "data", "orphaned"],
    ],
  );
  const holders = findHolders(pipes.map((p) => p.path));
  assert.deepEqual(
    holders?.get(path.join(dir, "tool-demo"))?.map((h) => [h.pid, h.access]),
    [[server.child.pid, "readwrite"]],
  );
  assert.equal(holders?.get(path.join(dir, "tool-gone")), undefined);

  const result = await clearOrphans(pipes);
  assert.deepEqual(
    result.removed.map((p) => path.basename(p.path)),
    ["tool-gone", "tool-gone-data"],
  );
  assert.deepEqual(await entries(dir), ["tool-demo", "tool-demo-data"]);
});
