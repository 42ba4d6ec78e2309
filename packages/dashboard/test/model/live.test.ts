/**
 * The live models against real processes: the monitor sees tools come and go and flags and
 * clears orphaned pipes; the launcher starts a real server with a private log and stops it.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { stat, utimes } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { serveDemo, startDemo, tempDir, until } from "named-pipe-tools-testkit";
import { Launcher } from "../../src/model/launcher.js";
import { ToolsMonitor } from "../../src/model/tools-monitor.js";

test("the monitor follows tools, their broadcasts and orphaned pipes", async (t) => {
  const dir = await tempDir(t);
  const monitor = new ToolsMonitor({ dir, scanIntervalMs: 200, pingIntervalMs: 100 });
  t.after(() => monitor.close());
  monitor.start();
  const demo = await startDemo(t, dir);
  const tool = () => monitor.getSnapshot().tools.find((x) => x.name === "demo");
  await until(
    () =>
      tool()?.state === "running" && tool()?.pingMs !== undefined && tool()?.pid === demo.child.pid,
    10_000,
    "demo running with ping and pid",
  );
  assert.equal(
    tool()?.description,
    "Demo tool: echo, count (streaming), sleep, fail, shout, binary echo",
  );

  await monitor.client("demo")!.call("set_state", { state: "busy" });
  await until(() => tool()?.state === "busy", 5000, "state_changed followed");
  assert.deepEqual(
    tool()?.log.map((e) => [e.message.event, e.message["state"]]),
    [["state_changed", "busy"]],
  );

  await monitor.loadDetails("demo");
  assert.deepEqual(
    tool()?.details?.interfaces.map((i) => i.name),
    ["base", "demo"],
  );

  // An orphaned pipe: a FIFO nobody reads, old enough not to be starting.
  const orphan = path.join(dir, "tool-ghost");
  execFileSync("mkfifo", ["-m", "600", orphan]);
  await utimes(orphan, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
  await monitor.rescan();
  assert.equal(monitor.getSnapshot().tools.find((x) => x.name === "ghost")?.status, "orphaned");
  const result = await monitor.clearOrphans();
  assert.deepEqual(
    result.removed.map((p) => p.path),
    [orphan],
  );
  assert.equal(
    monitor.getSnapshot().tools.some((x) => x.name === "ghost"),
    false,
  );

  demo.child.kill("SIGTERM");
  await until(() => tool() === undefined, 10_000, "demo gone from the list");
});

test("the monitor keeps only broadcasts in a tool's log, bounded", async (t) => {
  const { dir, server } = await serveDemo(t);
  const monitor = new ToolsMonitor({ dir, logLimit: 3 });
  t.after(() => monitor.close());
  monitor.start();
  await until(() => monitor.client("demo") !== undefined, 10_000, "connected");
  for (let i = 0; i < 5; i++) server.broadcast("shout", { data: i });
  await monitor.client("demo")!.call("echo", { data: 1 }); // a reply: never in the log
  await until(
    () => monitor.getSnapshot().tools[0]?.log.at(-1)?.message["data"] === 4,
    5000,
    "the last shout",
  );
  assert.deepEqual(
    monitor.getSnapshot().tools[0]?.log.map((e) => e.message["data"]),
    [2, 3, 4],
  );
});

test("the launcher runs cpipe --serve with a log in a private directory, and stops it", async (t) => {
  const dir = await tempDir(t);
  const launcher = new Launcher();
  t.after(() => launcher.close({ keep: false }));
  const launched = await launcher.launch("demo", "made", dir, []);
  const view = () => launcher.getSnapshot().procs[0]!;
  await until(() => view().status === "ready", 15_000, "ready");
  assert.match(view().log.join("\n"), new RegExp(`ready ${dir}/tool-made`));
  const logDir = path.dirname(launched.logPath);
  assert.equal((await stat(logDir)).mode & 0o777, 0o700, "the log directory is private");
  assert.equal((await stat(launched.logPath)).mode & 0o777, 0o600);
  assert.match(launched.commandLine, /^cpipe --serve demo --name made --dir /);
  await launcher.stop(launched.id);
  assert.equal(view().status, "exited");
  assert.equal(view().exit, 0);
  await launcher.close({ keep: false });
  await assert.rejects(stat(logDir), /ENOENT/, "removed at close");
});
