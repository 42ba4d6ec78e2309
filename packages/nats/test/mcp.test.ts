/**
 * The MCP bridge exposes a tool another machine exports: `cpipe mcp nats://HOST:PORT/NAME`.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import {
  StdioClientTransport,
  getDefaultEnvironment,
} from "@modelcontextprotocol/sdk/client/stdio.js";
import { packageDir, serveDemo, tempDir } from "named-pipe-tools-testkit";
import { exportFrom, machine, startNats } from "./helpers.js";

const BRIDGE_MAIN = path.join(packageDir("named-pipe-tools-mcp"), "dist/src/bridge-main.js");

test("an MCP host calls a remote tool through the bridge", async (t) => {
  const nats = await startNats(t);
  const far = await machine(t);
  await serveDemo(t, { dir: far.dir });
  await exportFrom(t, far, nats.url, { tools: ["demo"] });

  const near = await tempDir(t);
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BRIDGE_MAIN, "--dir", near, `${nats.url}/demo`],
    env: getDefaultEnvironment(),
    stderr: "pipe",
  });
  const client = new Client({ name: "test-host", version: "1.0.0" }, { capabilities: {} });
  t.after(() => client.close());
  await client.connect(transport);

  const { tools } = await client.listTools();
  const names = tools.map((tool) => tool.name);
  assert.ok(names.includes("demo__count") && names.includes("demo__get_help"), names.join(", "));
  const count = await client.callTool({ name: "demo__count", arguments: { n: 4 } });
  assert.deepEqual(count.content, [
    { type: "text", text: "1234" },
    { type: "text", text: '{"count":4}' },
  ]);
  const failed = await client.callTool({ name: "demo__fail", arguments: { message: "far away" } });
  assert.equal(failed.isError, true);
});
