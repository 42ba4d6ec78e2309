/**
 * Tiny neural voices in sherpa-onnx's real formats, with random weights: a Piper (VITS) voice
 * and a two-speaker Kokoro voice (ONNX graphs with the metadata sherpa-onnx reads, tokens.txt,
 * and Kokoro's voices.bin). sherpa-onnx loads them and runs its real espeak-ng phonemizer,
 * token mapping and ONNX inference on them; each phoneme becomes a burst of noise-like audio
 * whose length follows the requested speed. They use the system's espeak-ng-data.
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { OnnxGraph, randomWeights, seededRandom } from "named-pipe-tools-models";

/** Piper's symbols: pad, start, end, space, punctuation, letters and the IPA phonemes. */
const SYMBOLS = [
  "_",
  "^",
  "$",
  " ",
  ..."!'(),-.:;?",
  ..."abcdefghijklmnopqrstuvwxyz",
  ..."æçðøħŋœɐɑɒɓɔɕɖɗɘəɚɛɜɞɟɠɡɢɣɤɥɦɧɨɪɫɬɭɮɯɰɱɲɳɴɵɶɸɹɺɻɽɾʀʁʂʃʄʈʉʊʋʌʍʎʏʐʑʒʔʕʘʙʛʜʝʟʡʢʲˈˌːˑ˞βθχᵻⱱ",
];

/** Samples each phoneme id becomes at speed 1. */
export const SAMPLES_PER_TOKEN = 512;

async function writeTokens(dir: string): Promise<void> {
  await writeFile(path.join(dir, "tokens.txt"), SYMBOLS.map((s, i) => `${s} ${i}\n`).join(""));
}

/**
 * Writes a Piper voice (`test-voice.onnx`, `tokens.txt`) into `dir`: ids -> embedding ->
 * tanh -> one frame of samples per id, stretched by the length scale (1 / speed).
 */
export async function writeTestPiperVoice(
  dir: string,
  sampleRate = 22_050,
  seed = 3,
): Promise<void> {
  const rand = seededRandom(seed);
  const g = new OnnxGraph("piper");
  const x = g.input("input", "int64", [1, "T"]);
  g.input("input_lengths", "int64", [1]);
  const scales = g.input("scales", "float", [3]); // noise, length scale, noise w
  const emb = g.floats(
    [SYMBOLS.length, SAMPLES_PER_TOKEN],
    randomWeights(rand, SYMBOLS.length * SAMPLES_PER_TOKEN, 0.5),
  );
  const flat = g.op("Reshape", [
    g.op("Tanh", [g.op("Gather", [emb, x])]),
    g.int64s([3], [1, 1, -1]),
  ]);
  const lengthScale = g.op("Slice", [scales, g.int64s([1], [1]), g.int64s([1], [2])]);
  const resize = g.op("Concat", [g.floats([2], [1, 1]), lengthScale], { axis: { int: 0 } });
  g.op("Resize", [flat, "", resize], { mode: { string: "nearest" } }, "output");
  g.output("output", "float", [1, 1, "N"]);
  g.meta("model_type", "vits")
    .meta("comment", "piper")
    .meta("language", "English")
    .meta("voice", "en-us")
    .meta("has_espeak", 1)
    .meta("n_speakers", 1)
    .meta("sample_rate", sampleRate);
  await g.write(path.join(dir, "test-voice.onnx"));
  await writeTokens(dir);
}

/** Kokoro's style table: 510 rows (one per token count) of this width, per speaker. */
const STYLE_ROWS = 510;
const STYLE_WIDTH = 16;

/**
 * Writes a two-speaker Kokoro voice (`model.onnx`, `voices.bin`, `tokens.txt`) into `dir`:
 * ids -> embedding -> tanh, scaled by the speaker's style, stretched by 1 / speed.
 */
export async function writeTestKokoroVoice(dir: string, seed = 4): Promise<void> {
  const rand = seededRandom(seed);
  const speakers = 2;
  const g = new OnnxGraph("kokoro");
  const tokens = g.input("tokens", "int64", [1, "T"]);
  const style = g.input("style", "float", [1, STYLE_WIDTH]);
  const speed = g.input("speed", "float", [1]);
  const emb = g.floats(
    [SYMBOLS.length, SAMPLES_PER_TOKEN],
    randomWeights(rand, SYMBOLS.length * SAMPLES_PER_TOKEN, 0.5),
  );
  const flat = g.op("Reshape", [
    g.op("Tanh", [g.op("Gather", [emb, tokens])]),
    g.int64s([1], [-1]),
  ]);
  const gain = g.op("ReduceMean", [g.op("Abs", [style])], {
    axes: { ints: [0, 1] },
    keepdims: { int: 0 },
  });
  const scaled = g.op("Mul", [flat, gain]);
  const stretch = g.op("Div", [g.floats([1], [1]), speed]);
  g.op("Resize", [scaled, "", stretch], { mode: { string: "nearest" } }, "audio");
  g.output("audio", "float", ["N"]);
  g.meta("model_type", "kokoro")
    .meta("language", "English")
    .meta("voice", "en-us")
    .meta("has_espeak", 1)
    .meta("n_speakers", speakers)
    .meta("sample_rate", 24_000)
    .meta("version", 1)
    .meta("style_dim", `${STYLE_ROWS},1,${STYLE_WIDTH}`);
  await g.write(path.join(dir, "model.onnx"));
  // Speaker 0 speaks at half the level of speaker 1.
  const voices = new Float32Array(speakers * STYLE_ROWS * STYLE_WIDTH);
  voices.fill(0.4, 0, STYLE_ROWS * STYLE_WIDTH);
  voices.fill(0.8, STYLE_ROWS * STYLE_WIDTH);
  await writeFile(path.join(dir, "voices.bin"), Buffer.from(voices.buffer));
  await writeTokens(dir);
}
