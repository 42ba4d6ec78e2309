/**
 * chat: the ready-made chat server (named-pipe-tools-chat) on the generated test model, in its
 * own process, and a ToolClient streaming its tokens. The model path comes from
 * `NPT_BENCH_MODEL` (the `chat-tokens` case writes the model and sets it).
 */
import { ToolClient } from "named-pipe-tools";
import { tokenOptions, tokenPrompt } from "./chat-local.js";
import type { Conn, Family } from "./types.js";

/** The model the bench generates with. */
export function benchModel(): string {
  const model = process.env["NPT_BENCH_MODEL"];
  if (model === undefined || model === "") throw new Error("NPT_BENCH_MODEL is not set");
  return model;
}

async function serve(dir: string) {
  const { startChatServer } = await import("named-pipe-tools-chat");
  const server = await startChatServer(
    { backend: "llama", model: benchModel(), dir, threads: 1, gpu: false, probe: false },
    { log: null },
  );
  await server.ready;
  return { address: dir, close: () => server.close() };
}

async function connect(dir: string): Promise<Conn> {
  const client = await ToolClient.connect("chat", { dir });
  return {
    async ping() {
      await client.call("ping");
    },
    async tokens(n) {
      let first = 0;
      const final = await client.call(
        "chat",
        {
          messages: tokenPrompt,
          max_tokens: n,
          temperature: tokenOptions.temperature,
          ignore_eos: true,
        },
        { onEvent: () => (first ||= performance.now()), timeoutMs: 120_000 },
      );
      const end = performance.now();
      const out = Number((final["usage"] as Record<string, unknown>)["completion_tokens"]);
      return { tokens: out, perTokenUs: ((end - first) * 1000) / (out - 1) };
    },
    close: () => client.close(),
  };
}

/** The chat server through its pipe. */
export const family: Family = { serve, connect };
