import assert from "node:assert/strict";
import { test } from "node:test";
import {
  classifyPipeName,
  clientPaths,
  defaultPipeDir,
  privatePipeDirPath,
  serverPaths,
  validateToolName,
} from "../../src/transport/paths.js";

test("valid tool names pass", () => {
  for (const name of ["chat", "tts", "my_tool.v2", "a", "web-search", "x1"])
    assert.equal(validateToolName(name), name);
});

test("unsafe or ambiguous tool names are refused with EBADNAME", () => {
  for (const name of [
    "",
    "../etc",
    "a/b",
    "..",
    ".hidden",
    "-x",
    "chat-123",
    "chat-1-cab",
    "chat-1-cab-up",
    "x-data",
    "a..b",
    "x".repeat(65),
    "sp ace",
    5,
  ]) {
    assert.throws(
      () => validateToolName(name),
      (err: Error & { code?: string }) => err.code === "EBADNAME",
      String(name),
    );
  }
});

test("paths follow the reference layout", () => {
  assert.deepEqual(serverPaths("chat", "/tmp"), {
    upstream: "/tmp/tool-chat",
    dataUpstream: "/tmp/tool-chat-data",
  });
  const { downstream, dataDownstream } = clientPaths("chat", "/tmp", 42, undefined);
  assert.deepEqual(
    { downstream, dataDownstream },
    { downstream: "/tmp/tool-chat-42", dataDownstream: "/tmp/tool-chat-data-42" },
  );
  assert.deepEqual(clientPaths("chat", "/d", 42, "c1f"), {
    downstream: "/d/tool-chat-42-c1f",
    dataDownstream: "/d/tool-chat-data-42-c1f",
    upstream: "/d/tool-chat-42-c1f-up",
    dataUpstream: "/d/tool-chat-data-42-c1f-up",
  });
});

test("classifyPipeName tells upstream pipes from client and data pipes", () => {
  assert.deepEqual(classifyPipeName("tool-chat"), { kind: "upstream", tool: "chat" });
  assert.deepEqual(classifyPipeName("tool-chat-123"), { kind: "other" });
  assert.deepEqual(classifyPipeName("tool-chat-123-c9a"), { kind: "other" });
  assert.deepEqual(classifyPipeName("tool-chat-123-c9a-up"), { kind: "other" });
  assert.deepEqual(classifyPipeName("tool-chat-data-123-c9a-up"), { kind: "other" });
  assert.deepEqual(classifyPipeName("tool-chat-data"), { kind: "other" });
  assert.equal(classifyPipeName("pipe_data"), null);
});

test("the default directory honours PIPE_TOOLS_DIR", () => {
  const saved = process.env["PIPE_TOOLS_DIR"];
  try {
    delete process.env["PIPE_TOOLS_DIR"];
    assert.equal(defaultPipeDir(), "/tmp");
    process.env["PIPE_TOOLS_DIR"] = "/run/x";
    assert.equal(defaultPipeDir(), "/run/x");
  } finally {
    if (saved === undefined) delete process.env["PIPE_TOOLS_DIR"];
    else process.env["PIPE_TOOLS_DIR"] = saved;
  }
});

test("the private directory is per user", () => {
  const saved = process.env["XDG_RUNTIME_DIR"];
  try {
    process.env["XDG_RUNTIME_DIR"] = "/run/user/1000";
    assert.equal(privatePipeDirPath(), "/run/user/1000/named-pipe-tools");
    delete process.env["XDG_RUNTIME_DIR"];
    assert.match(privatePipeDirPath(), /named-pipe-tools-\d+$/);
  } finally {
    if (saved === undefined) delete process.env["XDG_RUNTIME_DIR"];
    else process.env["XDG_RUNTIME_DIR"] = saved;
  }
});
