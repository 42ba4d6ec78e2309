/**
 * chat-local: the same generation as the `chat` family, in-process (node-llama-cpp through the
 * chat package's LlamaBackend, as its server uses it), so that the difference is the pipe's.
 */
import type { ChatMessage, GenerationOptions } from "named-pipe-tools-chat";
import { benchModel } from "./chat.js";
import type { Conn, Family } from "./types.js";

/** The prompt of every generation. */
export const tokenPrompt: ChatMessage[] = [{ role: "user", content: "Tell me about pipes." }];

/** Greedy, and never stopping early, so every run makes the same number of tokens. */
export const tokenOptions: Omit<GenerationOptions, "maxTokens"> = {
  temperature: 0,
  topP: undefined,
  stop: [],
  seed: undefined,
  ignoreEos: true,
};

async function serve(dir: string) {
  return { address: dir, close: async () => undefined };
}

async function connect(): Promise<Conn> {
  const { LlamaBackend } = await import("named-pipe-tools-chat");
  const backend = new LlamaBackend({ model: benchModel(), threads: 1, gpu: false, probe: false });
  await backend.load(new AbortController().signal);
  return {
    async ping() {},
    async tokens(n) {
      let first = 0;
      const result = await backend.generate({
        messages: tokenPrompt,
        options: { ...tokenOptions, maxTokens: n },
        signal: new AbortController().signal,
        onText: () => (first ||= performance.now()),
      });
      const end = performance.now();
      const out = result.completionTokens ?? 0;
      return { tokens: out, perTokenUs: ((end - first) * 1000) / (out - 1) };
    },
    close: () => backend.close(),
  };
}

/** The same generation without a pipe. */
export const family: Family = { serve, connect };
