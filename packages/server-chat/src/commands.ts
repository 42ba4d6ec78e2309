/**
 * Argument schemas of the chat commands (zod): validated by the core before a handler runs, and
 * published by `get_interface` as JSON Schema.
 */
import { z } from "zod";
import type { ChatMessage, GenerationOptions } from "./backends/types.js";

const message = z.object({
  role: z.enum(["system", "user", "assistant"]).describe("Who speaks"),
  content: z.string().max(4_000_000).describe("What they say"),
});

/** Arguments of `chat` and `chat_blocking`. */
export const chatArgs = z
  .object({
    messages: z
      .array(message)
      .min(1)
      .max(100_000)
      .optional()
      .describe("The conversation: [{role: system|user|assistant, content}], oldest first"),
    prompt: z.string().optional().describe("Shorthand for messages: one user message"),
    data: z.string().optional().describe("Same as prompt (what `cpipe chat chat TEXT` sends)"),
    max_tokens: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .optional()
      .describe("Most tokens to generate"),
    temperature: z.number().min(0).max(10).optional().describe("Sampling temperature; 0 is greedy"),
    top_p: z.number().gt(0).max(1).optional().describe("Nucleus sampling threshold"),
    stop: z
      .union([z.string().min(1), z.array(z.string().min(1)).max(16)])
      .optional()
      .describe("String(s) that end the reply (not included)"),
    seed: z.number().int().optional().describe("Random seed for reproducible sampling"),
    ignore_eos: z
      .boolean()
      .optional()
      .describe("Keep generating past end-of-text tokens, up to max_tokens (benchmarks)"),
  })
  .refine((a) => a.messages !== undefined || a.prompt !== undefined || a.data !== undefined, {
    message: "give messages (or prompt)",
  });

/** Parsed arguments of `chat` and `chat_blocking`. */
export type ChatArgs = z.output<typeof chatArgs>;

/** Server-wide defaults of the per-request options. */
export interface GenerationDefaults {
  maxTokens: number;
  temperature: number;
  topP: number | undefined;
  seed: number | undefined;
}

/** The conversation a request asks for. */
export function messagesOf(args: ChatArgs): ChatMessage[] {
  if (args.messages !== undefined) return args.messages;
  return [{ role: "user", content: args.prompt ?? args.data ?? "" }];
}

/** The request's options, merged over the server's defaults. */
export function optionsOf(args: ChatArgs, defaults: GenerationDefaults): GenerationOptions {
  return {
    maxTokens: args.max_tokens ?? defaults.maxTokens,
    temperature: args.temperature ?? defaults.temperature,
    topP: args.top_p ?? defaults.topP,
    stop: args.stop === undefined ? [] : typeof args.stop === "string" ? [args.stop] : args.stop,
    seed: args.seed ?? defaults.seed,
    ignoreEos: args.ignore_eos ?? false,
  };
}
