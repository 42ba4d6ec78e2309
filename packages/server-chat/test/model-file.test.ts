/**
 * Bad model files give a clear error (and the process lives on), and main.js starts the server
 * with a readiness line and answers the reference's `chat` command.
 */
import assert from "node:assert/strict";
import { stat, truncate, writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { ToolClient } from "named-pipe-tools";
import { startChatServer } from "../src/create.js";
import { ChatServerError } from "../src/errors.js";
import { writeTestModel } from "../src/test-model/test-model.js";
import { makeModel, spawnNode, tempDir, waitForOutput } from "./helpers.js";

const MAIN = fileURLToPath(new URL("../src/main.js", import.meta.url));

async function expectBadModel(file: string, pattern: RegExp, dir: string): Promise<void> {
  await assert.rejects(
    startChatServer({ backend: "llama", model: file, dir, gpu: false }, { log: null }),
    (err: unknown) => {
      assert.ok(err instanceof ChatServerError);
      assert.equal(err.code, "EBADMODEL");
      assert.match(err.message, pattern);
      return true;
    },
  );
}

test("truncated, garbage and missing files are refused with bad_model", async (t) => {
  const dir = await tempDir(t);
  const model = await makeModel(t);
  const truncated = path.join(dir, "truncated.gguf");
  await writeTestModel(truncated);
  const { size } = await stat(truncated);
  await truncate(truncated, Math.floor(size / 2));
  await expectBadModel(truncated, /is truncated/, dir);

  const garbage = path.join(dir, "garbage.gguf");
  await writeFile(garbage, Buffer.from("this is not a gguf file at all, just words".repeat(10)));
  await expectBadModel(garbage, /not a valid GGUF file/, dir);

  await expectBadModel(path.join(dir, "missing.gguf"), /cannot be read/, dir);
  assert.ok(model.endsWith(".gguf"));
});

test("a file that makes llama.cpp abort is caught by the child-process probe", async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, "no-heads.gguf");
  // Parses as GGUF, but llama.cpp hits GGML_ASSERT (and aborts its process) reading it.
  await writeTestModel(file, { omitKeys: ["llama.attention.head_count"] });
  await expectBadModel(file, /llama\.cpp crashed reading it \(SIGABRT\)/, dir);
});

test("main.js: ready line, the reference chat command, and a one-line error on a bad model", async (t) => {
  const dir = await tempDir(t);
  const model = await makeModel(t);
  const proc = spawnNode(t, MAIN, [
    "--model",
    model,
    "--dir",
    dir,
    "--threads",
    "1",
    "--gpu",
    "false",
  ]);
  await waitForOutput(proc, (out) => out.includes("ready "), 30_000);
  assert.match(proc.stdout(), new RegExp(`^ready ${dir}/tool-chat\\n`));
  await using client = await ToolClient.connect("chat", { dir });
  const tokens: string[] = [];
  const final = await client.call(
    "chat",
    { messages: [{ role: "user", content: "Hello" }], max_tokens: 8 },
    { onEvent: (m) => tokens.push(String(m["text"])), timeoutMs: 30_000 },
  );
  assert.ok(tokens.length > 0);
  assert.equal(final.done, true);
  await client.call("stop");
  assert.equal(await proc.exited, 0);

  const garbage = path.join(dir, "garbage.gguf");
  await writeFile(garbage, "GGUF but not really");
  const bad = spawnNode(t, MAIN, ["--model", garbage, "--dir", dir]);
  assert.equal(await bad.exited, 1);
  const lines = bad.stderr().trim().split("\n");
  assert.equal(lines.length, 1, bad.stderr());
  assert.match(lines[0]!, /^chat: model file .*garbage\.gguf is not a valid GGUF file/);
});
