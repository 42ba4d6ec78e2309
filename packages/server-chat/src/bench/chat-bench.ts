#!/usr/bin/env node
/**
 * Tokens/s and time to first token through the pipe versus in-process, on the same model and
 * settings: `node dist/packages/server-chat/src/bench/chat-bench.js MODEL [TOKENS] [RUNS]`.
 * In-process calls node-llama-cpp through the same LlamaBackend the server uses; the pipe run
 * starts main.js in its own process and streams with ToolClient. Greedy, ignore_eos, 1 thread.
 */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { ToolClient } from "named-pipe-tools";
import { LlamaBackend } from "../backends/llama/llama-backend.js";
import type { GenerationOptions } from "../backends/types.js";

const [modelArg, tokensArg, runsArg, threadsArg] = process.argv.slice(2);
if (modelArg === undefined) {
  process.stderr.write("usage: chat-bench.js MODEL [TOKENS=500] [RUNS=5] [THREADS=1]\n");
  process.exit(2);
}
const model: string = modelArg;
const tokens = Number(tokensArg ?? 500);
const runs = Number(runsArg ?? 5);
const threads = Number(threadsArg ?? 1);
const messages = [{ role: "user" as const, content: "Tell me a long story about pipes." }];
const options: GenerationOptions = {
  maxTokens: tokens,
  temperature: 0,
  topP: undefined,
  stop: [],
  seed: undefined,
  ignoreEos: true,
};

interface Run {
  ttftMs: number;
  tokPerS: number;
  out: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};

function report(label: string, results: Run[]): void {
  const tps = median(results.map((r) => r.tokPerS));
  const ttft = median(results.map((r) => r.ttftMs));
  process.stdout.write(
    `${label.padEnd(12)} ${tps.toFixed(0).padStart(6)} tok/s  ttft ${ttft.toFixed(1)} ms  (median of ${results.length}, ${results[0]?.out} tokens each)\n`,
  );
}

async function inProcess(): Promise<Run[]> {
  const backend = new LlamaBackend({ model, threads, gpu: false, probe: false });
  await backend.load(new AbortController().signal);
  const results: Run[] = [];
  for (let i = 0; i <= runs; i++) {
    const start = performance.now();
    let first = 0;
    const r = await backend.generate({
      messages,
      options,
      signal: new AbortController().signal,
      onText: () => (first ||= performance.now()),
    });
    const end = performance.now();
    const out = r.completionTokens ?? 0;
    if (i > 0)
      results.push({ ttftMs: first - start, tokPerS: ((out - 1) * 1000) / (end - first), out });
  }
  await backend.close();
  return results;
}

async function throughPipe(): Promise<Run[]> {
  const dir = mkdtempSync(path.join(tmpdir(), "chat-bench-"));
  const main = fileURLToPath(new URL("../main.js", import.meta.url));
  const child = spawn(
    process.execPath,
    [
      main,
      "--model",
      model,
      "--dir",
      dir,
      "--threads",
      String(threads),
      "--gpu",
      "false",
      "--no-probe",
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  await new Promise<void>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
    child.stdout.on("data", (d: Buffer) => {
      if (d.toString().includes("ready ")) resolve();
    });
  });
  const client = await ToolClient.connect("chat", { dir });
  const results: Run[] = [];
  for (let i = 0; i <= runs; i++) {
    const start = performance.now();
    let first = 0;
    const final = await client.call(
      "chat",
      { messages, max_tokens: tokens, temperature: 0, ignore_eos: true },
      { onEvent: () => (first ||= performance.now()), timeoutMs: 120_000 },
    );
    const end = performance.now();
    const out = Number((final["usage"] as Record<string, unknown>)["completion_tokens"]);
    if (i > 0)
      results.push({ ttftMs: first - start, tokPerS: ((out - 1) * 1000) / (end - first), out });
  }
  await client.call("stop");
  await client.close();
  await new Promise((resolve) => child.once("exit", resolve));
  return results;
}

process.stdout.write(
  `model ${model}, ${tokens} tokens, greedy, ${threads} thread(s); first run of each is warm-up\n`,
);
report("in-process", await inProcess());
report("pipe", await throughPipe());
report("in-process", await inProcess());
report("pipe", await throughPipe());
