/**
 * Failures: the NATS connection drops and comes back (a single server restarted; a cluster node
 * dying), and one of two machines exporting a tool dies in the middle of a load.
 */
import assert from "node:assert/strict";
import type { TestContext } from "node:test";
import { test } from "node:test";
import { connect } from "nats";
import type { PipeToolError, ToolClient } from "named-pipe-tools";
import { CPIPE, spawnNode, startDemo, until, waitForOutput } from "named-pipe-tools-testkit";
import { NatsToolClient } from "named-pipe-tools-nats";
import { exportFrom, machine, startCluster, startNats } from "./helpers.js";

/** Resolves once `client` gets a pong again (after a reconnect). */
function answersAgain(client: ToolClient): Promise<void> {
  return until(
    () =>
      client.call("ping", undefined, { timeoutMs: 500 }).then(
        () => true,
        () => false,
      ),
    20_000,
    "a ping to work again",
  );
}

/** A machine with the demo tool and a `cpipe --export` process (which a test may kill). */
async function exportingMachine(t: TestContext, url: string) {
  const m = await machine(t);
  const demo = await startDemo(t, m.dir);
  const gateway = spawnNode(t, CPIPE, ["--export", url, "--tools", "demo", "--dir", m.dir]);
  await waitForOutput(gateway, (out) => out.includes("ready ") && out.includes("exported demo"));
  return { m, demo, gateway };
}

test("the connection drops and comes back: calls in flight fail clearly, new calls work", async (t) => {
  const first = await startNats(t);
  const host = await machine(t);
  await startDemo(t, host.dir);
  await exportFrom(t, host, first.url, { tools: ["demo"] });
  const client = await NatsToolClient.connect(`${first.url}/demo`);
  t.after(() => client.close());

  const inFlight = client.call("sleep", { ms: 60_000 });
  inFlight.catch(() => undefined);
  await first.kill();
  await assert.rejects(inFlight, (err: PipeToolError) => {
    assert.equal(err.code, "ESERVERGONE");
    assert.match(err.message, /lost the connection to NATS/);
    return true;
  });
  await startNats(t, { port: first.port });
  await answersAgain(client);
  assert.equal((await client.call("echo", { data: "after" }))["data"], "after");
  assert.equal(client.connected, true);
});

test("one of two exporting machines dies mid-load: its calls fail clearly, new ones go to the other", async (t) => {
  const [s1, s2, s3] = await startCluster(t, 3);
  const a = await exportingMachine(t, s1!.url);
  await exportingMachine(t, s2!.url);
  const client = await NatsToolClient.connect(`${s3!.url}/demo`, { checkIntervalMs: 200 });
  t.after(() => client.close());
  const raw = await connect({ servers: s3!.url });
  t.after(() => raw.close());

  const load = Array.from({ length: 24 }, () =>
    client.call("sleep", { ms: 3000 }).then(
      () => "ok" as const,
      (err: PipeToolError) => err,
    ),
  );
  // Kill machine A (its gateway and its tool) once both machines run some of the calls, as
  // their services' stats say.
  await until(
    async () => {
      const counts: number[] = [];
      for await (const s of await raw.services.client({ maxWait: 300 } as never).stats("demo")) {
        counts.push(s.endpoints?.find((e) => e.name === "sleep")?.num_requests ?? 0);
      }
      return counts.length === 2 && counts.every((n) => n > 0) && counts[0]! + counts[1]! === 24;
    },
    10_000,
    "both machines to take calls",
  );
  a.gateway.child.kill("SIGKILL");
  a.demo.child.kill("SIGKILL");
  const outcomes = await Promise.all(load);
  const failed = outcomes.filter((o): o is PipeToolError => o !== "ok");
  const ok = outcomes.filter((o) => o === "ok");
  assert.ok(
    failed.length > 0 && ok.length > 0,
    `both machines had calls: ${failed.length} failed, ${ok.length} ok`,
  );
  for (const err of failed) {
    assert.equal(err.code, "ESERVERGONE", String(err));
    assert.match(err.message, /went away/);
  }
  // New calls all go to the machine that is left.
  const after = await Promise.all(
    Array.from({ length: 20 }, (_, i) => client.call("echo", { data: i })),
  );
  assert.deepEqual(
    after.map((r) => r["data"]),
    Array.from({ length: 20 }, (_, i) => i),
  );
});

test("a cluster node dies: its clients move to another node and keep working", async (t) => {
  const [s1, s2] = await startCluster(t, 3);
  await exportingMachine(t, s2!.url);
  // Connected to s1 only: it learns the other nodes from the cluster.
  const client = await NatsToolClient.connect(`${s1!.url}/demo`);
  t.after(() => client.close());
  assert.equal((await client.call("ping")).event, "pong");
  const inFlight = client.call("sleep", { ms: 60_000 });
  inFlight.catch(() => undefined);
  await s1!.kill();
  await assert.rejects(inFlight, (err: PipeToolError) => err.code === "ESERVERGONE");
  await answersAgain(client);
  const items = await client.stream("count", { n: 100 }).toArray();
  assert.equal(items.length, 101);
});
