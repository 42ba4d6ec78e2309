/**
 * `cpipe --serve mcp -- cmd`: a stdio MCP server built with the SDK, wrapped once as a pipe tool
 * and called by several pipe clients at the same time.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { RemoteError, ToolClient } from "named-pipe-tools";
import type { EventMessage } from "named-pipe-tools";
import type { InterfaceSpec } from "named-pipe-tools";
import { isAlive as alive, spawnNode, tempDir, waitForOutput } from "named-pipe-tools-testkit";
import { serverType } from "../src/index.js";
import { MCP_FIXTURE, WRAP_MAIN, within } from "./mcp-helpers.js";

test("a wrapped MCP server is spawned once and serves two pipe clients at once", async (t) => {
  const dir = await tempDir(t);
  const spawns = path.join(dir, "spawns.log");
  const wrap = spawnNode(
    t,
    WRAP_MAIN,
    ["--dir", dir, "--name", "fx", "--", process.execPath, MCP_FIXTURE, "serve"],
    { MCP_FIXTURE_LOG: spawns },
  );
  await waitForOutput(wrap, (out) => out.includes("ready "));
  const [a, b] = await Promise.all([
    ToolClient.connect("fx", { dir }),
    ToolClient.connect("fx", { dir }),
  ]);
  t.after(() => Promise.all([a.close(), b.close()]));

  const iface = (await a.call("get_interface", { name: "fx" }))["interface"] as InterfaceSpec;
  const echoSpec = iface.commands.find((c) => c.name === "echo")!;
  assert.deepEqual(echoSpec.input_schema?.["required"], ["text"]);
  assert.equal(
    (echoSpec.input_schema?.["properties"] as Record<string, { type: string }>)["text"]?.type,
    "string",
  );
  assert.deepEqual(
    echoSpec.args.map((arg) => [arg.name, arg.type, arg.required]),
    [["text", "string", true]],
  );
  assert.equal(echoSpec.description, "Echo the text back.");

  const calls = (client: ToolClient, tag: string): Promise<EventMessage>[] => [
    client.call("whoami"),
    ...Array.from({ length: 10 }, (_, i) => client.call("echo", { text: `${tag}${i}` })),
  ];
  const [replyA, replyB] = await Promise.all([
    Promise.all(calls(a, "a")),
    Promise.all(calls(b, "b")),
  ]);
  const [whoA, ...echoesA] = replyA;
  const [whoB, ...echoesB] = replyB;
  assert.equal(whoA!["text"], whoB!["text"], "both clients reach the same MCP server process");
  echoesA.forEach((r, i) => assert.equal(r["text"], `a${i}`));
  echoesB.forEach((r, i) => assert.equal(r["text"], `b${i}`));
  assert.deepEqual(echoesA[0], {
    event: "result",
    text: "a0",
    content: [{ type: "text", text: "a0" }],
    id: echoesA[0]!.id,
  });
  const pid = Number(whoA!["text"]);
  assert.deepEqual((await readFile(spawns, "utf8")).trim().split("\n"), [String(pid)]);

  const sum = await b.call("add", { a: 2, b: 3 });
  assert.deepEqual(sum["structuredContent"], { sum: 5 });
  // An isError result is an error reply that keeps the result.
  const boom = await a.call("boom").catch((err: RemoteError) => err);
  assert.ok(boom instanceof RemoteError);
  assert.equal(boom.message, "boom failed");
  assert.equal(boom.remoteCode, "tool_error");
  assert.deepEqual(boom.reply["content"], [{ type: "text", text: "boom failed" }]);
  assert.equal(boom.reply["isError"], true);
  await assert.rejects(
    a.call("echo", { text: 42 }),
    (err: RemoteError) => err.remoteCode === "tool_error",
    "the MCP server's own validation answers",
  );

  const progress: EventMessage[] = [];
  const slow = await a.call("slow", { steps: 3, ms: 1 }, { onEvent: (m) => progress.push(m) });
  assert.equal(slow["text"], "done 3");
  assert.deepEqual(
    progress.map((m) => [m.event, m["progress"], m["total"], m["done"]]),
    [
      ["progress", 1, 3, false],
      ["progress", 2, 3, false],
      ["progress", 3, 3, false],
    ],
  );

  // Cancelling a pipe call cancels the MCP call; the server stays usable.
  const abort = new AbortController();
  const long = b.call("slow", { steps: 1, ms: 60_000 }, { signal: abort.signal });
  abort.abort();
  await assert.rejects(long, { code: "EABORTED" });
  assert.equal((await b.call("echo", { text: "still here" }))["text"], "still here");

  // Stopping the pipe tool ends the MCP server too.
  wrap.child.kill("SIGTERM");
  await within(wrap.exited, 10_000, "the wrapper to exit");
  assert.equal(alive(pid), false, "the MCP server process has ended");
});

test("serverType.start wraps a stdio MCP server in-process, named after its command", async (t) => {
  const dir = await tempDir(t);
  const server = await serverType.start({
    rest: [process.execPath, MCP_FIXTURE, "serve"],
    dir,
    log: () => undefined,
  });
  t.after(() => server.close());
  assert.equal(server.name, "mcp-fixture");
  await using client = await ToolClient.connect("mcp-fixture", { dir });
  assert.equal((await client.call("echo", { text: "hi" }))["text"], "hi");
  const help = (await client.call("get_help"))["help"] as string;
  assert.match(help, /- echo: Echo the text back\./);
  assert.match(help, /A fixture\./);
});

test("a command that is not an MCP server fails to start with a clear error", async (t) => {
  const dir = await tempDir(t);
  await assert.rejects(
    serverType.start({
      name: "nope",
      rest: [process.execPath, "-e", "process.exit(0)"],
      dir,
      log: () => undefined,
    }),
    { name: "McpBridgeError", code: "EUPSTREAM", message: /cannot start MCP server/ },
  );
});
