import assert from "node:assert/strict";
import { test } from "node:test";
import type { PipeInfo } from "../../src/index.js";
import { watchPipes } from "../../src/index.js";
import { createDemoServer } from "../../src/demo/index.js";
import { tempDir, until } from "named-pipe-tools-testkit";

test("watchPipes sees a tool start and stop without waiting for the periodic scan", async (t) => {
  const dir = await tempDir(t);
  const scans: string[][] = [];
  const live = (pipes: PipeInfo[]): string[] =>
    pipes.filter((p) => p.role === "upstream" && p.status === "live").map((p) => p.tool);
  // A period far longer than the test: only the directory watch can explain a quick scan.
  const watcher = watchPipes(dir, (pipes) => void scans.push(live(pipes)), { rescanMs: 600_000 });
  t.after(() => watcher.close());
  await watcher.rescan();
  assert.deepEqual(scans.at(-1), []);
  const server = await createDemoServer({ dir, handleSignals: false, log: () => {} }).listen();
  await until(() => scans.at(-1)?.[0] === "demo", 5000, "the tool to be seen");
  await server.close();
  await until(() => scans.at(-1)?.length === 0, 5000, "the tool to be gone");
});

test("rescans never overlap: one asked for during a scan runs once after it", async (t) => {
  const dir = await tempDir(t);
  let running = 0;
  let overlapped = false;
  let scans = 0;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const watcher = watchPipes(
    dir,
    async () => {
      running++;
      overlapped ||= running > 1;
      scans++;
      if (scans === 1) await gate;
      running--;
    },
    { rescanMs: 600_000 },
  );
  t.after(() => watcher.close());
  const more = [watcher.rescan(), watcher.rescan(), watcher.rescan()];
  release();
  await Promise.all(more);
  assert.equal(overlapped, false);
  assert.equal(scans, 2, "the first scan, then one for all three asked during it");
});
