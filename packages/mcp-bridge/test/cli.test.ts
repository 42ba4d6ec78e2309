/**
 * The bridge as users start it: `cpipe mcp` (spawned by an MCP host) and `cpipe --serve mcp --`.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ToolClient } from "named-pipe-tools";
import { CPIPE, spawnNode, startDemo, tempDir, waitForOutput } from "named-pipe-tools-testkit";
import { fixtureWrapArgs, spawnHost } from "./mcp-helpers.js";

test("an MCP host spawning `cpipe mcp` lists and calls the demo tool's commands", async (t) => {
  const dir = await tempDir(t);
  await startDemo(t, dir);
  const host = await spawnHost(t, CPIPE, ["mcp", "--dir", dir, "demo"]);
  const { tools } = await host.client.listTools();
  assert.ok(tools.some((tool) => tool.name === "demo__echo"));
  const result = await host.client.callTool({
    name: "demo__echo",
    arguments: { data: "via cpipe mcp" },
  });
  assert.match(JSON.stringify(result.content), /via cpipe mcp/);
});

test("`cpipe --serve mcp -- CMD` wraps a stdio MCP server as a pipe tool", async (t) => {
  const dir = await tempDir(t);
  const served = spawnNode(t, CPIPE, ["--serve", "mcp", ...fixtureWrapArgs(dir, "fx")]);
  await waitForOutput(served, (out) => out.includes(`ready ${dir}/tool-fx`));
  await using client = await ToolClient.connect("fx", { dir });
  const reply = await client.call("add", { a: 2, b: 3 });
  assert.equal(reply.event, "result");
  assert.match(JSON.stringify(reply["content"]), /5/);
  await client.call("stop");
  assert.equal(await served.exited, 0);
});
