/**
 * The tiny test model: a valid llama-architecture GGUF with random F32 weights and a small
 * SentencePiece-style vocabulary (with the 256 byte tokens) and a ChatML chat template. It
 * generates gibberish, but through llama.cpp's real loading, templating, tokenizing and sampling.
 */
import type { GgufTensor, GgufValue } from "../gguf/writer.js";
import { writeGguf } from "../gguf/writer.js";

/** Shape of the test model. Defaults in brackets. */
export interface TestModelOptions {
  /** Embedding width [64]. */
  embedding?: number;
  /** Transformer blocks [2]. */
  layers?: number;
  /** Attention heads [4]. */
  heads?: number;
  /** Feed-forward width [128]. */
  feedForward?: number;
  /** Training context length [2048]. */
  contextLength?: number;
  /** Seed of the random weights [1]. */
  seed?: number;
  /** Leave out metadata keys (to make deliberately broken files in tests). */
  omitKeys?: readonly string[];
}

const VOCAB_SIZE = 512;
const CHATML_TEMPLATE =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/** SentencePiece token types (llama.cpp `llama_token_type`). */
const TokenType = { Normal: 1, Unknown: 2, Control: 3, Byte: 6 } as const;

/** A deterministic PRNG (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function vocabulary(): { tokens: string[]; types: number[]; scores: number[] } {
  const tokens = ["<unk>", "<s>", "</s>", "<|im_start|>", "<|im_end|>"];
  const types: number[] = [
    TokenType.Unknown,
    TokenType.Control,
    TokenType.Control,
    TokenType.Control,
    TokenType.Control,
  ];
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`);
    types.push(TokenType.Byte);
  }
  const pieces = new Set<string>();
  const letters = "etaoinshrdlcumwfgypbvkjxqz";
  const words = ["the", "and", "hello", "world", "pipe", "tool", "chat", "user", "assistant"];
  pieces.add("\u2581");
  for (const w of words) pieces.add(`\u2581${w}`);
  for (const c of letters + letters.toUpperCase() + "0123456789.,!?'-:\n") pieces.add(c);
  for (const c of letters) pieces.add(`\u2581${c}`);
  outer: for (const a of letters) {
    for (const b of letters) {
      if (tokens.length + pieces.size >= VOCAB_SIZE) break outer;
      pieces.add(a + b);
    }
  }
  for (const p of pieces) {
    tokens.push(p);
    types.push(TokenType.Normal);
  }
  // Longer pieces score higher, so the SentencePiece merges prefer them.
  const scores = tokens.map((t, i) => (types[i] === TokenType.Normal ? -i / 1000 + t.length : 0));
  return { tokens, types, scores };
}

/** Writes the test model to `path` (about 1 MB with the defaults). */
export async function writeTestModel(path: string, options: TestModelOptions = {}): Promise<void> {
  const embd = options.embedding ?? 64;
  const layers = options.layers ?? 2;
  const heads = options.heads ?? 4;
  const ff = options.feedForward ?? 128;
  const rand = random(options.seed ?? 1);
  const { tokens, types, scores } = vocabulary();
  const vocab = tokens.length;

  const meta = new Map<string, GgufValue>([
    ["general.architecture", { type: "string", value: "llama" }],
    ["general.name", { type: "string", value: "named-pipe-tools test model" }],
    ["general.file_type", { type: "u32", value: 0 }],
    ["llama.context_length", { type: "u32", value: options.contextLength ?? 2048 }],
    ["llama.embedding_length", { type: "u32", value: embd }],
    ["llama.block_count", { type: "u32", value: layers }],
    ["llama.feed_forward_length", { type: "u32", value: ff }],
    ["llama.attention.head_count", { type: "u32", value: heads }],
    ["llama.attention.head_count_kv", { type: "u32", value: heads }],
    ["llama.rope.dimension_count", { type: "u32", value: embd / heads }],
    ["llama.attention.layer_norm_rms_epsilon", { type: "f32", value: 1e-5 }],
    ["llama.vocab_size", { type: "u32", value: vocab }],
    ["tokenizer.ggml.model", { type: "string", value: "llama" }],
    ["tokenizer.ggml.tokens", { type: "string[]", value: tokens }],
    ["tokenizer.ggml.scores", { type: "f32[]", value: scores }],
    ["tokenizer.ggml.token_type", { type: "i32[]", value: types }],
    ["tokenizer.ggml.bos_token_id", { type: "u32", value: 1 }],
    ["tokenizer.ggml.eos_token_id", { type: "u32", value: 4 }],
    ["tokenizer.ggml.unknown_token_id", { type: "u32", value: 0 }],
    ["tokenizer.ggml.add_bos_token", { type: "bool", value: true }],
    ["tokenizer.chat_template", { type: "string", value: CHATML_TEMPLATE }],
  ]);
  for (const key of options.omitKeys ?? []) meta.delete(key);

  const weights = (dims: number[], scale = 0.5): GgufTensor["data"] => {
    const n = dims.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    const s = scale / Math.sqrt(dims[0] ?? 1);
    for (let i = 0; i < n; i++) data[i] = (rand() * 2 - 1) * s;
    return data;
  };
  const ones = (n: number): Float32Array => new Float32Array(n).fill(1);
  const tensors: GgufTensor[] = [
    { name: "token_embd.weight", dims: [embd, vocab], data: weights([embd, vocab], 8) },
    { name: "output_norm.weight", dims: [embd], data: ones(embd) },
    { name: "output.weight", dims: [embd, vocab], data: weights([embd, vocab], 8) },
  ];
  for (let i = 0; i < layers; i++) {
    const p = `blk.${i}`;
    tensors.push(
      { name: `${p}.attn_norm.weight`, dims: [embd], data: ones(embd) },
      { name: `${p}.attn_q.weight`, dims: [embd, embd], data: weights([embd, embd]) },
      { name: `${p}.attn_k.weight`, dims: [embd, embd], data: weights([embd, embd]) },
      { name: `${p}.attn_v.weight`, dims: [embd, embd], data: weights([embd, embd]) },
      { name: `${p}.attn_output.weight`, dims: [embd, embd], data: weights([embd, embd]) },
      { name: `${p}.ffn_norm.weight`, dims: [embd], data: ones(embd) },
      { name: `${p}.ffn_gate.weight`, dims: [embd, ff], data: weights([embd, ff]) },
      { name: `${p}.ffn_up.weight`, dims: [embd, ff], data: weights([embd, ff]) },
      { name: `${p}.ffn_down.weight`, dims: [ff, embd], data: weights([ff, embd]) },
    );
  }
  await writeGguf(path, meta, tensors);
}
