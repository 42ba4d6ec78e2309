/**
 * Chat tokens: the ready-made chat server (named-pipe-tools-chat) on the generated test model,
 * streaming to a client in another process (`chat-tokens`), against the same generation
 * in-process (`chat-inprocess`). The difference in time per token is the pipe's share.
 * Skipped when the chat package or node-llama-cpp cannot be loaded.
 */
import path from "node:path";
import type { Samples } from "../peer/ops.js";
import { summarize } from "../stats.js";
import { withClients, withServer } from "./common.js";
import type { BenchCase, Result, RoundContext } from "./types.js";

function params(quick: boolean): { n: number; warmup: number; runs: number } {
  return quick ? { n: 100, warmup: 1, runs: 3 } : { n: 300, warmup: 1, runs: 7 };
}

async function prepare(workDir: string): Promise<string | undefined> {
  if (process.env["NPT_BENCH_MODEL"] !== undefined) return undefined;
  try {
    const { writeTestModel } = await import("named-pipe-tools-chat");
    const model = path.join(workDir, "test-model.gguf");
    await writeTestModel(model);
    process.env["NPT_BENCH_MODEL"] = model; // inherited by the peers
    return undefined;
  } catch (err) {
    return `the chat package cannot be loaded: ${(err as Error).message.split("\n")[0]}`;
  }
}

async function tokensRound(family: string, ctx: RoundContext): Promise<Result> {
  return withServer(family, ctx.dir, (address) =>
    withClients(family, address, 1, async ([client]) => {
      const s = await client!.ask<Samples>({ op: "tokens", ...params(ctx.quick) });
      const { p50, p99, mean } = summarize(s.samples);
      return { p50_us: p50, p99_us: p99, mean_us: mean, ops_per_s: 1e6 / p50 };
    }),
  );
}

function tokensCase(name: string, family: string, what: string): BenchCase {
  return {
    name,
    group: "model",
    ours: family === "chat",
    what,
    heavy: true,
    prepare,
    round: (ctx) => tokensRound(family, ctx),
  };
}

/** The chat cases. */
export const chatCases: BenchCase[] = [
  tokensCase("chat-tokens", "chat", "chat server on the test model, tokens streamed to a client"),
  tokensCase("chat-inprocess", "chat-local", "the same generation in-process, no pipe"),
];
