import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { ToolClient } from "../../src/index.js";
import { spawnNode, startDemo, tempDir, until, waitForOutput } from "named-pipe-tools-testkit";

test("server killed with SIGKILL: every pending call rejects within about 1 s, and a new server starts over the stale pipes", async (t) => {
  const dir = await tempDir(t);
  const server = await startDemo(t, dir);
  const a = await ToolClient.connect("demo", { dir });
  const b = await ToolClient.connect("demo", { dir });
  const pending = [
    a.call("sleep", { ms: 600_000 }, { timeoutMs: 600_000 }),
    a.stream("count", { n: 1_000_000, interval_ms: 100 }, { timeoutMs: 600_000 }).toArray(),
    b.call("sleep", { ms: 600_000 }, { timeoutMs: 600_000 }),
  ];
  await a.call("ping");
  const killedAt = Date.now();
  server.child.kill("SIGKILL");
  const results = await Promise.allSettled(pending);
  const elapsed = Date.now() - killedAt;
  for (const r of results) {
    assert.equal(r.status, "rejected");
    assert.equal((r.reason as { code?: string }).code, "ESERVERGONE");
    assert.match((r.reason as Error).message, /went away/);
  }
  assert.ok(elapsed < 1500, `took ${elapsed} ms`);
  assert.equal((await a.closed)?.code, "ESERVERGONE");
  await assert.rejects(
    ToolClient.connect("demo", { dir, timeoutMs: 500 }),
    (e: Error & { code?: string }) => e.code === "ENOSERVER",
  );

  await startDemo(t, dir);
  await using c = await ToolClient.connect("demo", { dir });
  assert.equal((await c.call("ping")).event, "pong");
  await Promise.all([a.close(), b.close()]);
});

test("client killed with SIGKILL mid-stream: the server drops it and its pipes within about 1 s; others see no stall", async (t) => {
  const dir = await tempDir(t);
  await startDemo(t, dir);
  const victim = spawnNode(
    t,
    fileURLToPath(new URL("../fixtures/stream-client.js", import.meta.url)),
    [dir],
  );
  await waitForOutput(victim, (out) => out.includes("streaming "));
  const pid = victim.child.pid!;
  const mine = (await readdir(dir)).filter((n) => n.includes(`-${pid}-`));
  assert.equal(mine.length, 4, "downstream and private upstream, text and data pipes exist");
  await using other = await ToolClient.connect("demo", { dir });
  const tokens: string[] = [];
  const otherStream = (async () => {
    for await (const m of other.stream("count", { n: 40, interval_ms: 10 }))
      tokens.push(String(m["text"]));
  })();
  victim.child.kill("SIGKILL");
  const killedAt = Date.now();
  await until(
    async () => (await readdir(dir)).every((n) => !n.includes(`-${pid}-`)),
    3000,
    "victim pipes removed",
  );
  const elapsed = Date.now() - killedAt;
  assert.ok(elapsed < 1500, `took ${elapsed} ms`);
  await otherStream;
  assert.equal(tokens.length, 41);
  assert.equal((await other.call("ping")).event, "pong");
});
