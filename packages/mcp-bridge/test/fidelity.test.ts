/**
 * MCP results keep their meaning through pipes: an `isError` result is an error (cpipe exits 1)
 * that keeps its content, a chain MCP host -> `cpipe mcp` -> a tool served by
 * `cpipe --serve mcp` -> the MCP server returns the MCP server's own result unchanged, and a
 * command that never answers initialize fails with a clear message instead of waiting forever.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { CPIPE, spawnNode, tempDir, waitForOutput } from "named-pipe-tools-testkit";
import { serverType } from "../src/index.js";
import { MCP_FIXTURE, bridgeHost, fixtureWrapArgs, spawnHost } from "./mcp-helpers.js";

test("a chain of bridges returns the MCP server's own results, errors included", async (t) => {
  const dir = await tempDir(t);
  const wrap = spawnNode(t, CPIPE, ["--serve", "mcp", ...fixtureWrapArgs(dir, "fx")]);
  await waitForOutput(wrap, (out) => out.includes("ready "));
  const direct = await spawnHost(t, MCP_FIXTURE, ["serve"]);
  const { client: chained } = await bridgeHost(t, dir, ["fx"]);
  const calls: [string, Record<string, unknown>][] = [
    ["echo", { text: "héllo" }],
    ["add", { a: 2, b: 3 }],
    ["boom", {}],
    ["echo", { text: 42 }], // the MCP server's own validation error
  ];
  for (const [name, args] of calls) {
    const original = await direct.client.callTool({ name, arguments: args });
    const through = await chained.callTool({ name: `fx__${name}`, arguments: args });
    assert.deepEqual(through, original, `${name} ${JSON.stringify(args)}`);
  }
  assert.equal((await direct.client.callTool({ name: "boom", arguments: {} })).isError, true);
});

test("cpipe exits 1 on an isError result, and --jsonl shows the result it kept", async (t) => {
  const dir = await tempDir(t);
  const server = await serverType.start({
    name: "fx",
    rest: [process.execPath, MCP_FIXTURE, "serve"],
    dir,
    log: () => undefined,
  });
  t.after(() => server.close());
  const run = async (args: string[]): Promise<{ code: unknown; out: string; err: string }> => {
    const proc = spawnNode(t, CPIPE, args, { PIPE_TOOLS_DIR: dir });
    proc.child.stdin?.end();
    return { code: await proc.exited, out: proc.stdout(), err: proc.stderr() };
  };
  const boom = await run(["fx", "boom"]);
  assert.deepEqual(boom, { code: 1, out: "", err: "cpipe: fx boom: boom failed\n" });
  const jsonl = await run(["fx", "boom", "--jsonl"]);
  assert.equal(jsonl.code, 1);
  const reply = JSON.parse(jsonl.out) as Record<string, unknown>;
  assert.deepEqual(
    [reply["event"], reply["code"], reply["content"], reply["isError"]],
    ["error", "tool_error", [{ type: "text", text: "boom failed" }], true],
  );
  assert.equal((await run(["fx", "echo", "-j", '{"text":"fine"}'])).code, 0);
});

test("a command that never answers initialize fails within --init-timeout, with a clear message", async (t) => {
  const dir = await tempDir(t);
  const started = Date.now();
  await assert.rejects(
    serverType.start({
      initTimeout: 0.5,
      name: "sleepy",
      rest: ["sleep", "100"],
      dir,
      log: () => undefined,
    }),
    {
      name: "McpBridgeError",
      code: "EUPSTREAM",
      message:
        "cannot start MCP server 'sleep 100': it did not answer initialize within 0.5 s (is it a stdio MCP server? a slow one can be given longer with --init-timeout SECONDS)",
    },
  );
  assert.ok(Date.now() - started < 15_000, "it gave up in time (the process is ended too)");
  const cli = spawnNode(t, CPIPE, [
    "--serve",
    "mcp",
    "--dir",
    dir,
    "--init-timeout",
    "0.5",
    "--",
    "sleep",
    "100",
  ]);
  assert.equal(await cli.exited, 1);
  assert.match(cli.stderr(), /did not answer initialize within 0\.5 s/);
  assert.match(cli.stderr(), /waiting for 'sleep 100' to answer initialize/);
});
