/**
 * Unit tests of the bridge's pure parts: naming, argument parsing, schema mapping.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseServeArgs } from "named-pipe-tools";
import { deriveName, parseBridgeArgs } from "../src/args.js";
import { serverType } from "../src/serve-type.js";

const parseWrapArgs = (args: string[]) => parseServeArgs(serverType, args).options;
import { mcpToolName } from "../src/naming.js";
import { argsOf, inputSchemaOf } from "../src/schema.js";
import { pipeCommandName } from "../src/wrap-server.js";

test("MCP tool names: <tool>__<command>, sanitized, at most 64 characters, unique", () => {
  assert.equal(mcpToolName("demo", "echo", new Set()), "demo__echo");
  assert.equal(mcpToolName("my.tool", "run", new Set()), "my_tool__run");
  const taken = new Set(["my_tool__run"]);
  const other = mcpToolName("my_tool", "run", taken);
  assert.match(other, /^my_tool__run_[0-9a-f]{8}$/);
  const long = mcpToolName("t".repeat(64), "command", new Set());
  assert.equal(long.length, 64);
  assert.match(long, /^[A-Za-z0-9_-]+$/);
  assert.equal(long, mcpToolName("t".repeat(64), "command", new Set()), "stable");
});

test("cpipe mcp arguments", () => {
  assert.deepEqual(parseBridgeArgs([]), {
    dir: undefined,
    names: undefined,
    remote: [],
    help: false,
  });
  assert.deepEqual(parseBridgeArgs(["--dir", "/d", "a", "b"]), {
    dir: "/d",
    names: ["a", "b"],
    remote: [],
    help: false,
  });
  // Remote tools only: no local ones are bridged.
  assert.deepEqual(parseBridgeArgs(["nats://h:4222/chat"]), {
    dir: undefined,
    names: [],
    remote: ["nats://h:4222/chat"],
    help: false,
  });
  assert.deepEqual(parseBridgeArgs(["a", "--dir=/x"], { dir: "/c" }).dir, "/x");
  assert.throws(() => parseBridgeArgs(["--bogus"]), { code: "EUSAGE", message: /--bogus/ });
  assert.throws(() => parseBridgeArgs(["../x"]), { code: "EUSAGE" });
});

test("--serve mcp arguments and derived names", () => {
  const parsed = parseWrapArgs(["--name", "fs", "--", "npx", "-y", "server", "--port", "1"]);
  assert.equal(parsed.name, "fs");
  assert.deepEqual(parsed.rest, ["npx", "-y", "server", "--port", "1"]);
  assert.deepEqual(parseWrapArgs(["python3", "srv.py"]).rest, ["python3", "srv.py"]);
  assert.throws(() => parseWrapArgs(["--name", "x"]), {
    code: "EUSAGE",
    message: "--serve mcp needs COMMAND [ARGS...] (after '--')",
  });
  assert.equal(
    deriveName(["npx", "-y", "@modelcontextprotocol/server-memory@1.2.0"]),
    "server-memory",
  );
  assert.equal(deriveName(["node", "/a/b/mcp-fixture.js", "serve"]), "mcp-fixture");
  assert.equal(deriveName(["/usr/bin/my-server"]), "my-server");
});

test("input schemas: declared, from reference argument lists, or any object", () => {
  const declared = { type: "object", properties: { n: { type: "integer" } }, required: ["n"] };
  assert.deepEqual(
    inputSchemaOf({
      name: "c",
      description: "",
      args: [],
      input_schema: { ...declared, $schema: "x" },
    }),
    declared,
  );
  assert.deepEqual(
    inputSchemaOf({
      name: "c",
      description: "",
      args: [{ name: "text", description: "Text", type: "str", required: true }],
    }),
    {
      type: "object",
      properties: { text: { type: "string", description: "Text" } },
      required: ["text"],
      additionalProperties: true,
    },
  );
  assert.deepEqual(inputSchemaOf({ name: "c", description: "", args: [] }), {
    type: "object",
    additionalProperties: true,
  });
  assert.deepEqual(
    argsOf({
      type: "object",
      properties: { a: { type: "number" }, b: { type: ["string", "null"], default: "x" } },
      required: ["a", "b"],
    }),
    [
      { name: "a", description: "", type: "number", required: true },
      { name: "b", description: "", type: "string", required: false, default: "x" },
    ],
  );
});

test("wrapped tool names that clash with built-ins are prefixed", () => {
  assert.equal(pipeCommandName("Search"), "search");
  assert.equal(pipeCommandName("stop"), "tool_stop");
  assert.equal(pipeCommandName("ping"), "tool_ping");
});
