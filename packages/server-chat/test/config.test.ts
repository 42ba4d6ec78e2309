/**
 * Configuration: flags and the config file through the core's option parser, the chat
 * server's own checks, and the thread default.
 */
import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { defaultThreads } from "../src/backends/llama/threads.js";
import { parseServeArgs } from "named-pipe-tools";
import type { ChatConfig } from "../src/config.js";
import { checkChatConfig } from "../src/config.js";
import { serverType } from "../src/server-type.js";
import { tempDir } from "./helpers.js";

/** What `cpipe --serve chat ARGS` hands the server. */
function parseChatArgs(args: string[]): ChatConfig {
  return checkChatConfig(parseServeArgs(serverType, args).options);
}

test("flags are parsed and checked", () => {
  const c = parseChatArgs([
    "--model",
    "m.gguf",
    "--threads",
    "2",
    "--parallel",
    "3",
    "--temperature",
    "0.5",
    "--no-probe",
    "--gpu",
    "false",
  ]);
  assert.equal(c.backend, "llama");
  assert.equal(c.model, "m.gguf");
  assert.equal(c.threads, 2);
  assert.equal(c.parallel, 3);
  assert.equal(c.temperature, 0.5);
  assert.equal(c.probe, false);
  assert.equal(c.gpu, false);
  assert.throws(() => parseChatArgs(["--model", "m", "--threads", "two"]), {
    code: "EUSAGE",
    message: "--threads needs a whole number, got 'two'",
  });
  assert.throws(() => parseChatArgs(["--model", "m", "--gpu", "tpu"]), /--gpu must be one of/);
  assert.throws(
    () => parseChatArgs(["--model", "m", "--threads", "0"]),
    /--threads must be at least 1/,
  );
  assert.throws(() => parseChatArgs(["--frobnicate"]), /unknown option '--frobnicate'/);
  assert.throws(() => parseChatArgs([]), /no model/);
  assert.throws(() => parseChatArgs(["--backend", "openai", "--model", "x"]), /needs --base-url/);
});

test("--base-url selects the openai backend", () => {
  const c = parseChatArgs([
    "--base-url",
    "http://127.0.0.1:1/v1",
    "--model",
    "qwen",
    "--api-key-env",
    "MY_KEY",
  ]);
  assert.equal(c.backend, "openai");
  assert.equal(c.apiKeyEnv, "MY_KEY");
});

test("a config file gives defaults; flags win; relative model paths follow the file", async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, "chat.json");
  await writeFile(
    file,
    JSON.stringify({ model: "models/m.gguf", "max-tokens": 64, temperature: 0.7, threads: 1 }),
  );
  await mkdir(path.join(dir, "models"));
  await writeFile(path.join(dir, "models/m.gguf"), "");
  const c = parseChatArgs(["--config", file, "--temperature", "0.2"]);
  assert.equal(c.model, path.join(dir, "models/m.gguf"));
  assert.equal(c.maxTokens, 64);
  assert.equal(c.temperature, 0.2);
  assert.equal(c.threads, 1);
  await writeFile(file, JSON.stringify({ model: "m", colour: "blue" }));
  assert.throws(() => parseChatArgs(["--config", file]), /unknown option 'colour'/);
  await writeFile(file, "{not json");
  assert.throws(() => parseChatArgs(["--config", file]), /cannot read config file/);
});

test("a config file's values are checked like flags; a model name that is no file stays as given", async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, "chat.json");
  await writeFile(file, JSON.stringify({ "base-url": "http://127.0.0.1:1/v1", model: "qwen3" }));
  assert.equal(parseChatArgs(["--config", file]).model, "qwen3");
  await writeFile(file, JSON.stringify({ model: "m", threads: "many" }));
  assert.throws(
    () => parseChatArgs(["--config", file]),
    /'threads' needs a whole number, got 'many'/,
  );
});

test("default threads: 1 on up to 2 cores, about half beyond", () => {
  assert.equal(defaultThreads(1), 1);
  assert.equal(defaultThreads(2), 1);
  assert.equal(defaultThreads(4), 2);
  assert.equal(defaultThreads(16), 8);
});
