/**
 * Protocol revision 2: each of our clients writes its requests on a private upstream pipe that
 * the server opens read-only, so a client's exit is an end-of-file there; servers that do not
 * offer it (revision 1) are served on the shared pipe as before.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import type { TestContext } from "node:test";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { ToolClient, ToolServer } from "../../src/index.js";
import { createFifo } from "../../src/transport/fifo.js";
import { entries, spawnNode, tempDir, until, waitForOutput } from "named-pipe-tools-testkit";

const HOLD_CLIENT = fileURLToPath(new URL("../fixtures/hold-client.js", import.meta.url));

/** A server whose `hold` command ends only when cancelled; it records when that happens. */
async function holdServer(t: TestContext, dir: string) {
  const events: { started: number[]; aborted: number[] } = { started: [], aborted: [] };
  const server = new ToolServer({
    name: "hold",
    dir,
    log: null,
    handleSignals: false,
    // Liveness polling far slower than the test: only the end-of-file can explain a quick drop.
    limits: { livenessIntervalMs: 60_000 },
  });
  server.handler("hold", async (_args, ctx) => {
    events.started.push(Date.now());
    await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve));
    events.aborted.push(Date.now());
  });
  await server.listen();
  t.after(() => server.close());
  return { server, events };
}

test("a client killed mid-call is dropped at once: its request is cancelled and its pipes removed", async (t) => {
  const dir = await tempDir(t);
  const { server, events } = await holdServer(t, dir);
  const victim = spawnNode(t, HOLD_CLIENT, [dir, "hold", "hold"]);
  await waitForOutput(victim, (out) => out.includes("waiting "));
  assert.match(victim.stdout(), /private/, "the client writes on its private upstream pipe");
  await until(() => events.started.length === 1, 5000, "the request started");
  const pid = victim.child.pid!;
  assert.equal((await entries(dir)).filter((n) => n.includes(`-${pid}-`)).length, 2);
  const killedAt = Date.now();
  victim.child.kill("SIGKILL");
  await until(() => events.aborted.length === 1, 1500, "the request cancelled");
  await until(() => server.subscribers.length === 0, 1500, "the client dropped");
  await until(
    async () => (await entries(dir)).every((n) => !n.includes(`-${pid}-`)),
    1500,
    "its pipes removed",
  );
  assert.ok(
    events.aborted[0]! - killedAt < 1500,
    `cancelled ${events.aborted[0]! - killedAt} ms after the kill`,
  );
});

test("a large request travels whole on the private pipe, and a client closes cleanly", async (t) => {
  const dir = await tempDir(t);
  const server = new ToolServer({ name: "big", dir, log: null, handleSignals: false });
  server.handler("size", (args) => ({ event: "size", bytes: String(args["data"]).length }));
  await server.listen();
  t.after(() => server.close());
  const client = await ToolClient.connect("big", { dir });
  assert.equal(client.privateUpstream, true);
  const data = "x".repeat(15 * 1024 * 1024);
  assert.equal((await client.call("size", { data }))["bytes"], data.length);
  await client.close();
  assert.deepEqual(await entries(dir), ["tool-big", "tool-big-data"]);
  assert.equal(server.subscribers.length, 0);
});

/**
 * A server of protocol revision 1 (as this library was before revision 2), reduced to what the
 * test needs: it answers `subscribe` without offering anything, and `ping`, on the shared pipe.
 */
async function revisionOneServer(t: TestContext, dir: string, name: string) {
  const upstream = path.join(dir, `tool-${name}`);
  await createFifo(upstream);
  const fd = fs.openSync(upstream, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
  const reader = new net.Socket({ fd, readable: true, writable: false });
  const seen: Record<string, unknown>[] = [];
  const downstreams = new Map<string, number>();
  let buffered = "";
  reader.on("data", (chunk: Buffer) => {
    buffered += chunk.toString("utf8");
    let nl: number;
    while ((nl = buffered.indexOf("\n")) !== -1) {
      const msg = JSON.parse(buffered.slice(0, nl)) as Record<string, unknown>;
      buffered = buffered.slice(nl + 1);
      seen.push(msg);
      const key = `${String(msg["pid"])}-${String(msg["client"])}`;
      if (msg["cmd"] === "subscribe") {
        const down = path.join(dir, `tool-${name}-${key}`);
        downstreams.set(key, fs.openSync(down, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK));
      }
      const out = downstreams.get(key);
      const reply =
        msg["cmd"] === "subscribe"
          ? { event: "subscribed", protocol: 1, data: false }
          : msg["cmd"] === "ping"
            ? { event: "pong" }
            : { event: "ok" };
      if (out !== undefined) fs.writeSync(out, JSON.stringify({ ...reply, id: msg["id"] }) + "\n");
    }
  });
  t.after(() => {
    reader.destroy();
    for (const out of downstreams.values()) fs.closeSync(out);
  });
  return { seen };
}

test("with a revision-1 server the client falls back to the shared pipe and removes its private one", async (t) => {
  const dir = await tempDir(t);
  const { seen } = await revisionOneServer(t, dir, "old");
  const client = await ToolClient.connect("old", { dir, timeoutMs: 5000 });
  assert.equal(client.privateUpstream, false);
  assert.equal(seen[0]!["upstream"], true, "the subscribe offered a private upstream");
  assert.deepEqual(
    (await entries(dir)).filter((n) => n.endsWith("-up")),
    [],
    "the private pipe the server did not take is gone",
  );
  assert.equal((await client.call("ping")).event, "pong");
  assert.equal(seen.at(-1)!["cmd"], "ping", "the ping went on the shared pipe");
  assert.equal(seen.at(-1)!["pid"], process.pid, "with the client's address");
  await client.close();
  assert.deepEqual(await entries(dir), ["tool-old"]);
});
