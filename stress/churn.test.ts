/**
 * Stress (npm run stress; too slow for CI): client processes killed with SIGKILL in a loop while
 * steady clients stream. The server must drop every victim, remove its pipes, and never stall or
 * corrupt the steady streams.
 */
import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { ToolClient } from "named-pipe-tools";
import {
  packageDir,
  spawnNode,
  startDemo,
  tempDir,
  until,
  waitForOutput,
} from "named-pipe-tools-testkit";

const ROUNDS = Number(process.env["STRESS_ROUNDS"] ?? 60);

test(
  `${ROUNDS} clients killed mid-stream while 4 steady clients stream`,
  { timeout: 600_000 },
  async (t) => {
    const dir = await tempDir(t);
    const server = await startDemo(t, dir);
    const steady = await Promise.all(
      Array.from({ length: 4 }, () => ToolClient.connect("demo", { dir })),
    );
    let stop = false;
    const streams = steady.map(async (client) => {
      let rounds = 0;
      while (!stop) {
        const texts = (await client.stream("count", { n: 200 }).toArray()).map((m) => m["text"]);
        assert.deepEqual(texts, [...Array.from({ length: 200 }, (_, i) => String(i + 1)), ""]);
        rounds++;
      }
      return rounds;
    });
    for (let i = 0; i < ROUNDS; i++) {
      const victim = spawnNode(
        t,
        path.join(packageDir("named-pipe-tools"), "dist/test/fixtures/stream-client.js"),
        [dir],
      );
      await waitForOutput(victim, (out) => out.includes("streaming "));
      victim.child.kill("SIGKILL");
      await victim.exited;
    }
    await until(
      async () => (await readdir(dir)).length === 2 + steady.length,
      5000,
      "victims' pipes removed",
    );
    stop = true;
    const rounds = await Promise.all(streams);
    for (const r of rounds) assert.ok(r > 0);
    assert.equal(server.child.exitCode, null);
    await Promise.all(steady.map((c) => c.close()));
    assert.deepEqual(await readdir(dir), ["tool-demo", "tool-demo-data"]);
  },
);
