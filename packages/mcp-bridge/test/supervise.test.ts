/**
 * A wrapped MCP server is supervised: when it exits, calls in flight fail with a clear error,
 * the state is `restarting` (new calls are refused meanwhile), it is started again with a
 * growing delay, and pipe clients stay subscribed throughout.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ToolClient } from "named-pipe-tools";
import type { EventMessage, RemoteError } from "named-pipe-tools";
import { spawnNode, tempDir, until, waitForOutput } from "named-pipe-tools-testkit";
import type { Launched } from "../src/upstream.js";
import { launchUpstream } from "../src/upstream.js";
import { McpWrapServer } from "../src/wrap-server.js";
import { MCP_FIXTURE, WRAP_MAIN, fixtureWrapArgs, within } from "./mcp-helpers.js";

const SPEC = {
  command: [process.execPath, MCP_FIXTURE, "serve"] as [string, ...string[]],
  initTimeoutMs: 20_000,
  log: () => undefined,
};

test("the MCP server exits: in-flight calls fail clearly, state 'restarting', restarted, clients stay", async (t) => {
  const dir = await tempDir(t);
  const first = await launchUpstream(SPEC);
  const server = new McpWrapServer({
    name: "fx",
    dir,
    upstream: first.client,
    relaunch: () => launchUpstream(SPEC),
    restartDelayMs: 1000, // long enough to call while it is restarting
    log: null,
    handleSignals: false,
  });
  server.setTools(first.tools);
  await server.listen();
  t.after(() => server.close());
  const a = await ToolClient.connect("fx", { dir });
  const b = await ToolClient.connect("fx", { dir });
  t.after(() => Promise.all([a.close(), b.close()]));
  const before = Number((await a.call("whoami"))["text"]);

  const states: string[] = [];
  let duringRestart: Promise<EventMessage> | undefined;
  a.on("state_changed", (msg) => {
    states.push(String(msg["state"]));
    if (msg["state"] === "restarting") duringRestart = a.call("echo", { text: "now?" });
  });
  const inFlight = a.call("slow", { steps: 1, ms: 60_000 });
  assert.equal((await b.call("quit"))["text"], "bye");

  await assert.rejects(inFlight, (err: RemoteError) => {
    assert.equal(err.remoteCode, "restarting");
    assert.match(err.message, /^the MCP server exited while running 'slow'/);
    return true;
  });
  await until(() => duringRestart !== undefined, 10_000, "the restarting broadcast");
  await assert.rejects(duringRestart!, (err: RemoteError) => {
    assert.equal(err.remoteCode, "restarting");
    assert.match(err.message, /is being restarted/);
    return true;
  });
  await until(() => states.includes("running"), 20_000, "the restart");
  assert.deepEqual(states, ["restarting", "running"]);
  assert.ok(a.connected && b.connected, "both clients stayed subscribed");
  const after = Number((await a.call("whoami"))["text"]);
  assert.notEqual(after, before, "a new MCP server process");
  assert.equal((await b.call("echo", { text: "back" }))["text"], "back");
});

test("restarts back off: each quick failure doubles the delay", async (t) => {
  const dir = await tempDir(t);
  const first = await launchUpstream(SPEC);
  const logs: string[] = [];
  let attempts = 0;
  const relaunch = (): Promise<Launched> => {
    attempts++;
    if (attempts <= 2) return Promise.reject(new Error(`attempt ${attempts} failed`));
    return launchUpstream(SPEC);
  };
  const server = new McpWrapServer({
    name: "fx",
    dir,
    upstream: first.client,
    relaunch,
    restartDelayMs: 50,
    log: (line) => logs.push(line),
    handleSignals: false,
  });
  server.setTools(first.tools);
  await server.listen();
  t.after(() => server.close());
  await using client = await ToolClient.connect("fx", { dir });
  await client.call("quit");
  await until(() => server.state === "running" && attempts === 3, 20_000, "the third attempt");
  const delays = logs.flatMap((l) => /restarting it in ([\d.]+) s/.exec(l)?.[1] ?? []);
  assert.deepEqual(delays, ["0.05", "0.10", "0.20"]);
  assert.match(logs.join("\n"), /attempt 1 failed; restarting it in 0\.10 s/);
  assert.equal((await client.call("echo", { text: "ok" }))["text"], "ok");
});

test("cpipe --serve mcp keeps serving across a restart of the MCP server", async (t) => {
  const dir = await tempDir(t);
  const wrap = spawnNode(t, WRAP_MAIN, fixtureWrapArgs(dir, "fx"));
  await waitForOutput(wrap, (out) => out.includes("ready "));
  await using client = await ToolClient.connect("fx", { dir });
  const running = new Promise<void>((resolve) =>
    client.on("state_changed", (msg) => {
      if (msg["state"] === "running") resolve();
    }),
  );
  await client.call("quit");
  await within(running, 20_000, "the MCP server to be restarted");
  assert.equal((await client.call("echo", { text: "again" }))["text"], "again");
  assert.match(wrap.stderr(), /the MCP server exited after [\d.]+ s; restarting it in 0\.25 s/);
  wrap.child.kill("SIGTERM");
  await within(wrap.exited, 10_000, "the wrapper to exit");
});
