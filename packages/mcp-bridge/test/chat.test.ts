/**
 * `cpipe mcp` in front of the chat server (packages/server-chat) with its tiny test model: a
 * model loaded once, used by an MCP host. Skipped when the chat package is not built.
 * The chat package is reached by path, not by a typed import, so this package builds without it.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import type { Progress } from "@modelcontextprotocol/sdk/types.js";
import { ToolClient } from "named-pipe-tools";
import { packageDir, spawnNode, tempDir, waitForOutput } from "named-pipe-tools-testkit";
import { bridgeHost, firstText } from "./mcp-helpers.js";

const CHAT_MAIN = path.join(packageDir("named-pipe-tools-chat"), "dist/src/main.js");
const TEST_MODEL = path.join(
  packageDir("named-pipe-tools-chat"),
  "dist/src/test-model/test-model.js",
);
const available = existsSync(CHAT_MAIN) && existsSync(TEST_MODEL);

test(
  "an MCP host chats with the shared chat server",
  { skip: !available && "the chat package is not built (npm run build)" },
  async (t) => {
    const dir = await tempDir(t);
    const model = path.join(dir, "tiny.gguf");
    const { writeTestModel } = (await import(TEST_MODEL)) as {
      writeTestModel: (file: string) => Promise<void>;
    };
    await writeTestModel(model);
    const chat = spawnNode(t, CHAT_MAIN, [
      ...["--dir", dir, "--model", model, "--threads", "1", "--gpu", "false", "--no-probe"],
    ]);
    await waitForOutput(chat, (out) => out.includes("ready "), 30_000);
    const { client } = await bridgeHost(t, dir);

    const tools = (await client.listTools()).tools;
    const tool = tools.find((tl) => tl.name === "chat__chat");
    assert.ok(tool, `chat__chat in ${tools.map((tl) => tl.name).join(", ")}`);
    assert.ok("prompt" in (tool.inputSchema.properties ?? {}));

    const args = { prompt: "Hello", max_tokens: 8 };
    const progress: Progress[] = [];
    const result = await client.callTool({ name: "chat__chat", arguments: args }, undefined, {
      onprogress: (p) => progress.push(p),
      timeout: 60_000,
    });
    assert.equal(result.isError, undefined, firstText(result));
    assert.ok(progress.length > 0, "tokens arrive as progress");

    // The same request straight over the pipe gives the same text (greedy decoding).
    await using direct = await ToolClient.connect("chat", { dir });
    let text = "";
    await direct.call("chat", args, {
      timeoutMs: 60_000,
      onEvent: (m) => (text += typeof m["text"] === "string" ? m["text"] : ""),
    });
    assert.equal(firstText(result), text);
  },
);
