/**
 * A tiny whisper.cpp model in its real file format (the legacy ggml container that
 * ggml-tiny.en.bin and friends use: hparams, mel filters, vocabulary, F32 tensors), with random
 * weights: one encoder and one decoder layer 16 wide, the English vocabulary size (51,864, which
 * whisper.cpp derives its special tokens from). About 3.5 MB; whisper.cpp loads it and runs its
 * real mel, encoder and decoding loop on it, producing gibberish words.
 */
import { writeFile } from "node:fs/promises";
import { randomWeights, seededRandom } from "named-pipe-tools-models";

const MAGIC = 0x67676d6c; // "ggml"
const N_VOCAB = 51_864; // English-only models; multilingual ones have 51,865
const TEXT_TOKENS = 50_256; // ids below <|endoftext|>
const AUDIO_CTX = 1500; // 30 s of mel frames after the stride-2 convolution
const TEXT_CTX = 448;
const STATE = 16;
const HEADS = 2;
const MELS = 80;
const FFT_BINS = 201;

/** The words the test model's vocabulary holds (besides single characters). */
export const TEST_WHISPER_WORDS = ["hello", "world", "open", "the", "door", "please"] as const;

/**
 * The vocabulary: printable ASCII characters, " " (whisper.cpp looks it up by name and hangs
 * the binding when it is missing), our words, then filler words, then `<|endoftext|>`.
 */
function vocabulary(): string[] {
  const v: string[] = [];
  for (let i = 0; i < TEXT_TOKENS; i++) {
    if (i < 94) v.push(String.fromCharCode(33 + i));
    else if (i === 94) v.push(" ");
    else if (i < 95 + TEST_WHISPER_WORDS.length) v.push(` ${TEST_WHISPER_WORDS[i - 95]}`);
    else v.push(` w${i}`);
  }
  v.push("<|endoftext|>");
  return v;
}

/** Little-endian buffers of a ggml file, in order. */
class Parts {
  readonly list: Buffer[] = [];
  ints(...values: number[]): void {
    const b = Buffer.alloc(4 * values.length);
    values.forEach((v, i) => b.writeInt32LE(v, 4 * i));
    this.list.push(b);
  }
  floats(a: Float32Array): void {
    this.list.push(Buffer.from(a.buffer, a.byteOffset, a.byteLength));
  }
}

/** Writes the model to `file`. */
export async function writeTestWhisperModel(file: string, seed = 5): Promise<void> {
  const rand = seededRandom(seed);
  const p = new Parts();
  // hparams; ftype 0 = all F32 (whisper.cpp then also keeps the convolutions in F32)
  p.ints(MAGIC, N_VOCAB, AUDIO_CTX, STATE, HEADS, 1, TEXT_CTX, STATE, HEADS, 1, MELS, 0);
  p.ints(MELS, FFT_BINS);
  p.floats(randomWeights(rand, MELS * FFT_BINS, 0.01).map(Math.abs));
  const vocab = vocabulary();
  p.ints(vocab.length);
  for (const word of vocab) {
    const b = Buffer.from(word, "utf8");
    p.ints(b.length);
    p.list.push(b);
  }
  // Each tensor: n_dims, name length, type (0 = F32), dims innermost first, name, data.
  const tensor = (name: string, dims: number[], fill?: number): void => {
    const n = dims.reduce((a, b) => a * b, 1);
    const nb = Buffer.from(name);
    p.ints(dims.length, nb.length, 0, ...dims);
    p.list.push(nb);
    p.floats(fill === undefined ? randomWeights(rand, n, 0.2) : new Float32Array(n).fill(fill));
  };
  const norm = (prefix: string): void => {
    tensor(`${prefix}.weight`, [STATE], 1);
    tensor(`${prefix}.bias`, [STATE], 0);
  };
  const attention = (prefix: string): void => {
    tensor(`${prefix}.query.weight`, [STATE, STATE]);
    tensor(`${prefix}.query.bias`, [STATE]);
    tensor(`${prefix}.key.weight`, [STATE, STATE]);
    tensor(`${prefix}.value.weight`, [STATE, STATE]);
    tensor(`${prefix}.value.bias`, [STATE]);
    tensor(`${prefix}.out.weight`, [STATE, STATE]);
    tensor(`${prefix}.out.bias`, [STATE]);
  };
  const block = (prefix: string, cross: boolean): void => {
    norm(`${prefix}.attn_ln`);
    attention(`${prefix}.attn`);
    if (cross) {
      norm(`${prefix}.cross_attn_ln`);
      attention(`${prefix}.cross_attn`);
    }
    norm(`${prefix}.mlp_ln`);
    tensor(`${prefix}.mlp.0.weight`, [STATE, 4 * STATE]);
    tensor(`${prefix}.mlp.0.bias`, [4 * STATE]);
    tensor(`${prefix}.mlp.2.weight`, [4 * STATE, STATE]);
    tensor(`${prefix}.mlp.2.bias`, [STATE]);
  };
  tensor("encoder.positional_embedding", [STATE, AUDIO_CTX]);
  tensor("encoder.conv1.weight", [3, MELS, STATE]);
  tensor("encoder.conv1.bias", [1, STATE]);
  tensor("encoder.conv2.weight", [3, STATE, STATE]);
  tensor("encoder.conv2.bias", [1, STATE]);
  norm("encoder.ln_post");
  block("encoder.blocks.0", false);
  tensor("decoder.positional_embedding", [STATE, TEXT_CTX]);
  tensor("decoder.token_embedding.weight", [STATE, N_VOCAB]);
  norm("decoder.ln");
  block("decoder.blocks.0", true);
  await writeFile(file, Buffer.concat(p.list));
}
