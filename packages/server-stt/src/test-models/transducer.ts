/**
 * A tiny NeMo TDT transducer in sherpa-onnx's real model format (Parakeet's layout: encoder,
 * decoder and joiner ONNX graphs with NeMo metadata, and tokens.txt), with random weights
 * (~60 kB). sherpa-onnx loads and runs it through its real feature extraction, encoder and
 * greedy TDT decoding; the words are gibberish from a small vocabulary.
 *
 * Shaped so that a test can tell speech from silence: the encoder's first channel is the mean
 * log-mel energy, which pushes the blank token down when there is sound; while there is sound,
 * the duration head favours skipping two frames, so one word comes out every 80 ms or so.
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { OnnxGraph, randomWeights, seededRandom } from "named-pipe-tools-models";

/** The words the test model speaks (SentencePiece word-initial tokens). */
export const TEST_TRANSDUCER_WORDS = [
  "yes",
  "no",
  "stop",
  "go",
  "left",
  "right",
  "up",
  "down",
  "on",
  "off",
  "one",
  "two",
  "three",
  "four",
  "five",
] as const;

const FEATURES = 80; // log-mel bins sherpa-onnx computes
const DIM = 8; // encoder and decoder width
const SUBSAMPLING = 4;
const DURATIONS = 5; // TDT durations 0..4 frames
const PRED_LAYERS = 1;
const PRED_HIDDEN = 4;
/** Mean log-mel energy above which a token beats the blank. */
const SPEECH_ENERGY = 10;

/** Writes encoder.onnx, decoder.onnx, joiner.onnx and tokens.txt into `dir`. */
export async function writeTestTransducer(dir: string, seed = 7): Promise<void> {
  const rand = seededRandom(seed);
  const tokens = [...TEST_TRANSDUCER_WORDS.map((w) => `▁${w}`), "<blk>"];
  const V = tokens.length; // the blank is last, as NeMo has it
  await encoder(rand, V).write(path.join(dir, "encoder.onnx"));
  await decoder(rand, V).write(path.join(dir, "decoder.onnx"));
  await joiner(rand, V).write(path.join(dir, "joiner.onnx"));
  await writeFile(path.join(dir, "tokens.txt"), tokens.map((t, i) => `${t} ${i}\n`).join(""));
}

/** features [N, 80, T] -> a strided convolution -> [N, DIM, T/4]; channel 0 is the mean energy. */
function encoder(rand: () => number, V: number): OnnxGraph {
  const g = new OnnxGraph("encoder");
  const x = g.input("audio_signal", "float", ["N", FEATURES, "T"]);
  const len = g.input("length", "int64", ["N"]);
  const w = new Float32Array(DIM * FEATURES * SUBSAMPLING);
  w.fill(1 / (FEATURES * SUBSAMPLING), 0, FEATURES * SUBSAMPLING);
  w.set(randomWeights(rand, (DIM - 1) * FEATURES * SUBSAMPLING, 0.05), FEATURES * SUBSAMPLING);
  const kernel = { ints: [SUBSAMPLING] };
  g.op(
    "Conv",
    [x, g.floats([DIM, FEATURES, SUBSAMPLING], w), g.floats([DIM], new Float32Array(DIM))],
    {
      strides: kernel,
      kernel_shape: kernel,
    },
    "outputs",
  );
  const frames = g.op("Div", [
    g.op("Sub", [len, g.int64s([], [SUBSAMPLING])]),
    g.int64s([], [SUBSAMPLING]),
  ]);
  g.op("Add", [frames, g.int64s([], [1])], {}, "encoded_lengths");
  g.output("outputs", "float", ["N", DIM, "T2"]);
  g.output("encoded_lengths", "int64", ["N"]);
  return g
    .meta("model_type", "EncDecRNNTBPEModel")
    .meta("vocab_size", V - 1) // NeMo does not count the blank
    .meta("subsampling_factor", SUBSAMPLING)
    .meta("normalize_type", "NA")
    .meta("pred_rnn_layers", PRED_LAYERS)
    .meta("pred_hidden", PRED_HIDDEN)
    .meta("feat_dim", FEATURES)
    .meta("url", "named-pipe-tools test model, parakeet-tdt layout"); // "tdt": durations
}

/** The prediction network: the last token's embedding, states passed through. */
function decoder(rand: () => number, V: number): OnnxGraph {
  const g = new OnnxGraph("decoder");
  const targets = g.input("targets", "int32", ["N", 1]);
  const lengths = g.input("target_length", "int32", ["N"]);
  const s0 = g.input("states.1", "float", [PRED_LAYERS, "N", PRED_HIDDEN]);
  const s1 = g.input("onnx::Slice_3", "float", [PRED_LAYERS, "N", PRED_HIDDEN]);
  const emb = new Float32Array(V * DIM);
  for (let v = 0; v < V; v++) emb.set(randomWeights(rand, DIM - 1, 1), v * DIM + 1); // dim 0 stays 0
  const e = g.op("Gather", [g.floats([V, DIM], emb), g.op("Cast", [targets], { to: { int: 7 } })]);
  g.op("Transpose", [e], { perm: { ints: [0, 2, 1] } }, "outputs");
  g.op("Identity", [lengths], {}, "prednet_lengths");
  g.op("Identity", [s0], {}, "states");
  g.op("Identity", [s1], {}, "states2");
  g.output("outputs", "float", ["N", DIM, 1]);
  g.output("prednet_lengths", "int32", ["N"]);
  g.output("states", "float", [PRED_LAYERS, "N", PRED_HIDDEN]);
  g.output("states2", "float", [PRED_LAYERS, "N", PRED_HIDDEN]);
  return g;
}

/** Token logits (blank = SPEECH_ENERGY - energy) followed by duration logits (2 favoured). */
function joiner(rand: () => number, V: number): OnnxGraph {
  const g = new OnnxGraph("joiner");
  const enc = g.input("encoder_outputs", "float", ["N", DIM, 1]);
  const dec = g.input("decoder_outputs", "float", ["N", DIM, 1]);
  const out = V + DURATIONS;
  const w = new Float32Array(DIM * out);
  for (let r = 1; r < DIM; r++) w.set(randomWeights(rand, V - 1, 2), r * out);
  w[V - 1] = -1; // row 0 (energy) against the blank
  const bias = new Float32Array(out);
  bias[V - 1] = SPEECH_ENERGY;
  bias[V + 2] = 5;
  const h = g.op("Transpose", [g.op("Add", [enc, dec])], { perm: { ints: [0, 2, 1] } });
  const y = g.op("Add", [g.op("MatMul", [h, g.floats([DIM, out], w)]), g.floats([out], bias)]);
  g.op("Reshape", [y, g.int64s([4], [-1, 1, 1, out])], {}, "outputs");
  g.output("outputs", "float", ["N", 1, 1, out]);
  return g;
}
