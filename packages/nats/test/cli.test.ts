/**
 * cpipe's NATS commands, run as a user runs them: `--export` on one machine, `nats://` calls,
 * `--list nats://`, and `--import` serving a remote tool as a local pipe on another machine.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import type { TestContext } from "node:test";
import { test } from "node:test";
import { promisify } from "node:util";
import { ToolClient } from "named-pipe-tools";
import { CPIPE, spawnNode, startDemo, waitForOutput } from "named-pipe-tools-testkit";
import { NatsToolClient } from "named-pipe-tools-nats";
import { machine, startNats } from "./helpers.js";

const run = promisify(execFile);

async function cpipe(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CPIPE, ...args], { timeout: 20_000 });
    return { code: 0, out: stdout, err: stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, out: err.stdout, err: err.stderr };
  }
}

async function exportDemo(t: TestContext, url: string) {
  const host = await machine(t);
  await startDemo(t, host.dir);
  const gateway = spawnNode(t, CPIPE, ["--export", url, "--tools", "demo", "--dir", host.dir]);
  await waitForOutput(gateway, (out) => out.includes("ready ") && out.includes("exported demo"));
  return { host, gateway };
}

test("cpipe calls, lists and describes remote tools; export stops cleanly on SIGTERM", async (t) => {
  const nats = await startNats(t);
  const { gateway } = await exportDemo(t, nats.url);
  assert.deepEqual(await cpipe(`${nats.url}/demo`, "ping"), { code: 0, out: "pong\n", err: "" });
  assert.equal((await cpipe(`${nats.url}/demo`, "echo", '{"a":[1,2]}')).out, '{"a":[1,2]}\n');
  assert.equal((await cpipe(`${nats.url}/demo`, "count", "-j", '{"n":5}')).out, "12345\n");
  const lines = (await cpipe(`${nats.url}/demo`, "count", "-j", '{"n":2}', "--jsonl")).out
    .trim()
    .split("\n");
  // As the local cpipe prints them: each message with its request's id.
  assert.deepEqual(
    lines.map((l) => JSON.parse(l) as unknown),
    [
      { event: "token", id: 1, text: "1", done: false },
      { event: "token", id: 1, text: "2", done: false },
      { event: "token", id: 1, text: "", done: true, count: 2 },
    ],
  );
  const failed = await cpipe(`${nats.url}/demo`, "fail", "-j", '{"message":"nope"}');
  assert.equal(failed.code, 1);
  assert.match(failed.err, /^cpipe: demo fail: nope\n$/);
  const missing = await cpipe(`${nats.url}/nosuch`, "ping");
  assert.equal(missing.code, 1);
  assert.match(missing.err, /no host exports tool 'nosuch'/);

  const list = await cpipe("--list", nats.url);
  assert.equal(list.code, 0);
  assert.match(
    list.out,
    /^1 tool\(s\) exported on nats:\/\/127\.0\.0\.1:\d+\n {2}demo +1 host +Demo tool/,
  );
  assert.match(list.out, /count/);
  const described = await cpipe(`${nats.url}/demo`);
  assert.match(
    described.out,
    /demo \(over NATS\): Demo tool[\s\S]*count +Stream n token events.*\(streams\)/,
  );

  // -n: sent without waiting; the tool still runs it (its broadcast shows it).
  const listener = await NatsToolClient.connect(`${nats.url}/demo`);
  t.after(() => listener.close());
  const shout = new Promise((resolve) => listener.on("shout", resolve));
  assert.deepEqual(await cpipe(`${nats.url}/demo`, "shout", '"no wait"', "-n"), {
    code: 0,
    out: "",
    err: "",
  });
  assert.deepEqual(await shout, { event: "shout", data: "no wait" });

  assert.equal((await cpipe("--export", nats.url)).code, 2, "nothing is exported unless asked");
  assert.equal((await cpipe("--export", "http://x", "--all")).code, 2);

  gateway.child.kill("SIGTERM");
  assert.equal(await gateway.exited, 0);
  assert.match(gateway.stderr(), /export stopped/);
  assert.equal((await cpipe(`${nats.url}/demo`, "ping")).code, 1);
});

test("cpipe --import serves a remote tool as a local pipe for pipe-only clients", async (t) => {
  const nats = await startNats(t);
  await exportDemo(t, nats.url);
  const local = await machine(t);
  const imported = spawnNode(t, CPIPE, [
    "--import",
    `${nats.url}/demo`,
    "--as",
    "far",
    "--dir",
    local.dir,
  ]);
  await waitForOutput(imported, (out) => out.includes("ready "));
  assert.match(imported.stdout(), /ready .*\/tool-far\n/);

  // A shell user with the local cpipe, unchanged.
  assert.equal((await cpipe("--dir", local.dir, "far", "ping")).out, "pong\n");
  assert.equal((await cpipe("--dir", local.dir, "far", "count", "-j", '{"n":3}')).out, "123\n");
  assert.match((await cpipe("--dir", local.dir, "far", "get_description")).out, /Demo tool/);
  const bad = await cpipe("--dir", local.dir, "far", "count", "-j", '{"n":"x"}');
  assert.equal(bad.code, 1);
  assert.match(bad.err, /bad_args|expected number/);

  // A library client: streams, broadcasts, binary frames, the interface.
  const client = await ToolClient.connect("far", { dir: local.dir, data: true });
  t.after(() => client.close());
  const iface = await client.call("get_interface", { name: "demo" });
  assert.ok(JSON.stringify(iface).includes('"count"'));
  const shouts = new Promise((resolve) => client.on("shout", resolve));
  await client.call("shout", { data: "hi" });
  assert.deepEqual(await shouts, { event: "shout", data: "hi" });
  const echo = new Promise<Buffer>((resolve) => client.onData(resolve));
  client.sendData(Buffer.from([1, 2, 3, 250]));
  assert.deepEqual([...(await echo)], [1, 2, 3, 250]);
  await client.close();

  imported.child.kill("SIGTERM");
  assert.equal(await imported.exited, 0);
});
