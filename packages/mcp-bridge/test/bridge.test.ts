/**
 * `cpipe mcp` end to end: an MCP host (the SDK's client) spawns the bridge, which talks to real
 * pipe servers over FIFOs in a fresh directory per test.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import type { Progress } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { serveDemo, startDemo, tempDir } from "named-pipe-tools-testkit";
import { bridgeHost, firstText, onLateProgress, within } from "./mcp-helpers.js";

test("lists the demo's commands as tools with their schemas, and calls them", async (t) => {
  const dir = await tempDir(t);
  await startDemo(t, dir);
  const { client } = await bridgeHost(t, dir);

  const { tools } = await client.listTools();
  const names = tools.map((tool) => tool.name);
  for (const cmd of ["echo", "count", "sleep", "fail", "shout", "set_state", "get_help"]) {
    assert.ok(names.includes(`demo__${cmd}`), `demo__${cmd} in ${names.join(", ")}`);
  }
  assert.ok(!names.includes("demo__ping") && !names.includes("demo__stop"), "built-ins stay out");
  const count = tools.find((tool) => tool.name === "demo__count")!;
  assert.equal(count.inputSchema.type, "object");
  assert.deepEqual(count.inputSchema.required, ["n"]);
  assert.deepEqual(Object.keys(count.inputSchema.properties ?? {}).sort(), ["interval_ms", "n"]);
  assert.match(count.description ?? "", /Stream n token events/);
  assert.match(count.description ?? "", /Demo tool/);

  const echo = await client.callTool({ name: "demo__echo", arguments: { data: { hello: "mcp" } } });
  assert.equal(echo.isError, undefined);
  assert.deepEqual(JSON.parse(firstText(echo)), { event: "echo", data: { hello: "mcp" } });

  const help = await client.callTool({ name: "demo__get_help", arguments: {} });
  assert.match(firstText(help), /^# demo/);
});

test("error replies and bad arguments become isError results; unknown tools a protocol error", async (t) => {
  const dir = await tempDir(t);
  await startDemo(t, dir);
  const { client } = await bridgeHost(t, dir);

  const failed = await client.callTool({ name: "demo__fail", arguments: { message: "nope" } });
  assert.equal(failed.isError, true);
  assert.match(firstText(failed), /nope \(handler_error\)/);

  const bad = await client.callTool({ name: "demo__count", arguments: { n: "x" } });
  assert.equal(bad.isError, true);
  assert.match(firstText(bad), /bad_args/);

  await assert.rejects(client.callTool({ name: "demo__nothing", arguments: {} }), /unknown tool/);
});

test("a streaming command sends progress notifications and returns its whole output", async (t) => {
  const dir = await tempDir(t);
  await startDemo(t, dir);
  const { client } = await bridgeHost(t, dir);

  const progress: Progress[] = [];
  onLateProgress(client, (p) => progress.push(p));
  const result = await client.callTool({ name: "demo__count", arguments: { n: 5 } }, undefined, {
    onprogress: (p) => progress.push(p),
  });
  await new Promise((resolve) => setImmediate(resolve)); // late ones are a microtask behind
  assert.equal(firstText(result), "12345");
  assert.deepEqual(JSON.parse((result.content as { text: string }[])[1]!.text), { count: 5 });
  assert.deepEqual(
    progress.map((p) => [p.progress, p.message]),
    [
      [1, "1"],
      [2, "2"],
      [3, "3"],
      [4, "4"],
      [5, "5"],
    ],
  );
});

test("cancelling from the host cancels the pipe call", async (t) => {
  const { dir, server } = await serveDemo(t);
  let started!: () => void;
  const running = new Promise<void>((resolve) => (started = resolve));
  let aborted!: () => void;
  const cancelled = new Promise<void>((resolve) => (aborted = resolve));
  server.command(
    "hold",
    { description: "Wait until cancelled.", args: z.object({}) },
    (_args, ctx) => {
      started();
      return new Promise((resolve) => {
        ctx.signal.addEventListener("abort", () => {
          aborted();
          resolve({ event: "released" });
        });
      });
    },
  );
  const { client } = await bridgeHost(t, dir);

  const abort = new AbortController();
  const call = client.callTool({ name: "demo__hold", arguments: {} }, undefined, {
    signal: abort.signal,
  });
  await within(running, 5000, "the pipe handler to start");
  const t0 = Date.now();
  abort.abort();
  await assert.rejects(call);
  assert.ok(Date.now() - t0 < 1000, "the host call returns at once");
  await within(cancelled, 5000, "the pipe handler's signal to abort");

  const after = await client.callTool({ name: "demo__echo", arguments: { data: 1 } });
  assert.deepEqual(JSON.parse(firstText(after)), { event: "echo", data: 1 });
});

test("two hosts share one pipe server at the same time", async (t) => {
  const dir = await tempDir(t);
  await startDemo(t, dir);
  const [a, b] = await Promise.all([bridgeHost(t, dir), bridgeHost(t, dir)]);

  const run = async (client: typeof a.client, tag: string): Promise<void> => {
    const progress: number[] = [];
    onLateProgress(client, (p) => progress.push(p.progress));
    const [streamed, ...echoes] = await Promise.all([
      client.callTool({ name: "demo__count", arguments: { n: 20, interval_ms: 2 } }, undefined, {
        onprogress: (p) => progress.push(p.progress),
      }),
      ...Array.from({ length: 10 }, (_, i) =>
        client.callTool({ name: "demo__echo", arguments: { data: `${tag}${i}` } }),
      ),
    ]);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(firstText(streamed), Array.from({ length: 20 }, (_, i) => i + 1).join(""));
    assert.deepEqual(
      progress,
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    echoes.forEach((echo, i) =>
      assert.equal((JSON.parse(firstText(echo)) as { data: string }).data, `${tag}${i}`),
    );
  };
  await Promise.all([run(a.client, "a"), run(b.client, "b")]);
});

test("tools that start or stop raise tools/list_changed", async (t) => {
  const dir = await tempDir(t);
  await startDemo(t, dir);
  const { client } = await bridgeHost(t, dir);
  let notify: () => void = () => undefined;
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => notify());
  const changed = (): Promise<void> =>
    within(new Promise<void>((resolve) => (notify = resolve)), 10_000, "tools/list_changed");
  const names = async (): Promise<string[]> =>
    (await client.listTools()).tools.map((tool) => tool.name);
  assert.ok(!(await names()).includes("other__echo"));

  const appeared = changed();
  const other = await startDemo(t, dir, "other");
  await appeared;
  assert.ok((await names()).includes("other__echo"));

  const left = changed();
  other.child.kill("SIGTERM");
  await left;
  assert.ok(!(await names()).includes("other__echo"));
  assert.ok((await names()).includes("demo__echo"));
});

test("with names, only those tools are bridged", async (t) => {
  const dir = await tempDir(t);
  await Promise.all([startDemo(t, dir), startDemo(t, dir, "other")]);
  const { client } = await bridgeHost(t, dir, ["other"]);
  const names = (await client.listTools()).tools.map((tool) => tool.name);
  assert.ok(names.includes("other__echo"));
  assert.ok(!names.some((name) => name.startsWith("demo__")));
});
