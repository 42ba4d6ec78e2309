import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import path from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { tempDir } from "named-pipe-tools-testkit";
import { Resampler, toSpeechRate } from "../src/audio/pcm.js";
import { VadSegmenter } from "../src/audio/vad.js";
import { encodeWav, parseWav, readWavFile } from "../src/audio/wav.js";
import { matchDevice } from "../src/audio/devices.js";
import { DataDecoder } from "../src/data-input.js";
import type { SttError } from "../src/errors.js";
import { keywordsToJsgf, parseKeywords } from "../src/grammar.js";
import { parseServeArgs } from "named-pipe-tools";
import { serverType } from "../src/index.js";
import { sttServerOptions } from "../src/options.js";
import { jsgfPhrases } from "../src/jsgf-phrases.js";
import { parseDetection, phraseConfidence } from "../src/engines/pocketsphinx-spotter.js";

/** What `cpipe --serve stt ARGS` hands the server. */
function parseSttArgs(args: string[]): ReturnType<typeof sttServerOptions> {
  return sttServerOptions(parseServeArgs(serverType, args).options);
}
import { concatSamples, silence, skipUnless, speak, wordErrorRate } from "./stt-helpers.js";

const run = promisify(execFile);

test("WAV round trip and resampling to 16 kHz mono", () => {
  const samples = Int16Array.from({ length: 1600 }, (_, i) => Math.round(1000 * Math.sin(i / 5)));
  const parsed = parseWav(encodeWav(samples));
  assert.deepEqual(parsed.format, {
    format: 1,
    channels: 1,
    sampleRate: 16_000,
    bitsPerSample: 16,
  });
  assert.deepEqual(parsed.samples, samples);
  const stereo44 = new Int16Array(44_100 * 2).fill(100);
  const out = toSpeechRate(stereo44, 44_100, 2);
  assert.ok(Math.abs(out.length - 16_000) <= 2, `got ${out.length} samples`);
  assert.ok(Math.abs((out[500] ?? 0) - 100) <= 2, `DC gain: ${out[500]}`);
  // Chunked resampling gives the same length as one pass, less ~1 ms held back for the filter.
  const r = new Resampler(22_050);
  let total = 0;
  for (let i = 0; i < 10; i++) total += r.push(new Int16Array(2205)).length;
  assert.ok(total <= 16_000 && total >= 15_980, `chunked: ${total}`);
  assert.throws(
    () => parseWav(Buffer.from("nope")),
    (e: SttError) => e.code === "EBADAUDIO",
  );
});

test("data decoder: f32le stereo at 48 kHz, split anywhere", () => {
  const d = new DataDecoder({ rate: 48_000, channels: 2, encoding: "f32le" });
  const bytes = Buffer.alloc(48_000 * 2 * 4);
  for (let i = 0; i < 96_000; i++) bytes.writeFloatLE(0.5, i * 4);
  let n = 0;
  for (let at = 0; at < bytes.length; at += 1001) n += d.push(bytes.subarray(at, at + 1001)).length;
  assert.ok(n <= 16_000 && n >= 15_980, `got ${n}`);
  assert.throws(
    () => new DataDecoder({ rate: 100, channels: 1, encoding: "s16le" }),
    /rate must be/,
  );
});

test("keywords become a JSGF grammar of exact phrases", () => {
  const phrases = parseKeywords("Turn on the light!, stop,\nstop");
  assert.deepEqual(phrases, ["turn on the light", "stop"]);
  assert.match(keywordsToJsgf(phrases), /public <phrase> = turn on the light \| stop;/);
  assert.throws(
    () => parseKeywords(" , "),
    (e: SttError) => e.code === "EUSAGE",
  );
});

test("options: parsed, and bad values named", () => {
  const opts = parseSttArgs([
    "--input",
    "data",
    "--vad-offset",
    "450",
    "--device",
    "2",
    "--keywords",
    "yes,no",
  ]);
  assert.equal(opts.input, "data");
  assert.equal(opts.device, 2);
  assert.deepEqual(opts.vad, { offsetMs: 450 });
  assert.deepEqual(opts.keywords, ["yes", "no"]);
  assert.throws(
    () => parseSttArgs(["--input", "radio"]),
    /--input must be one of mic, data, none, got 'radio'/,
  );
  assert.throws(() => parseSttArgs(["--vad-onset", "abc"]), /--vad-onset needs a whole number/);
  assert.throws(() => parseSttArgs(["--vad-mode", "4"]), /--vad-mode must be from 0 to 3, got '4'/);
  assert.throws(() => parseSttArgs(["--bogus"]), {
    code: "EUSAGE",
    message: "unknown option '--bogus'",
  });
});

test("devices match by index or name substring", () => {
  const devices = [
    { index: 0, name: "alsa_input.usb-mic", channels: 1, backend: "parec" as const },
    { index: 1, name: "sink_b.monitor", channels: 2, backend: "parec" as const },
  ];
  assert.equal(matchDevice(devices, 1)?.name, "sink_b.monitor");
  assert.equal(matchDevice(devices, "USB")?.index, 0);
  assert.equal(matchDevice(devices, "nothing"), undefined);
});

test("word error rate", () => {
  assert.equal(wordErrorRate("turn on the light", "turn on the light"), 0);
  assert.equal(wordErrorRate("turn on the light", "turn the lights"), 0.5);
});

test("VAD finds each spoken sentence, with onset and offset", async (t) => {
  const skip = await skipUnless("espeak-ng");
  if (skip !== undefined) return t.skip(skip);
  const dir = await tempDir(t);
  const a = await speak(dir, "a", "turn on the kitchen light");
  const b = await speak(dir, "b", "what time is it");
  const audio = concatSamples(silence(500), a, silence(1000), b, silence(1000));
  const vad = await VadSegmenter.create({ onsetMs: 90, offsetMs: 600 });
  t.after(() => vad.close());
  const events = [];
  for (let at = 0; at < audio.length; at += 1234)
    events.push(...vad.push(audio.subarray(at, at + 1234)));
  assert.deepEqual(
    events.filter((e) => e.type !== "audio").map((e) => e.type),
    ["start", "end", "start", "end"],
  );
  // A long offset joins both sentences into one utterance.
  const joined = await VadSegmenter.create({ offsetMs: 1500 });
  t.after(() => joined.close());
  const ev2 = joined.push(audio).filter((e) => e.type !== "audio");
  assert.deepEqual(
    ev2.map((e) => e.type),
    ["start"],
  );
  assert.deepEqual(
    joined
      .flush()
      .filter((e) => e.type !== "audio")
      .map((e) => e.type),
    ["end"],
  );
});

test("end of turn: the default silence keeps a slow three-sentence turn whole", async (t) => {
  const skip = await skipUnless("espeak-ng");
  if (skip !== undefined) return t.skip(skip);
  const dir = await tempDir(t);
  const file = path.join(dir, "turn.wav");
  // espeak-ng at 140 words per minute pauses 300-450 ms between sentences.
  await run("espeak-ng", ["-s", "140", "-w", file, "Hello. How are you today? I am fine, thanks."]);
  const audio = concatSamples(await readWavFile(file), silence(1000));
  const utterances = async (offsetMs?: number): Promise<number> => {
    const vad = await VadSegmenter.create(offsetMs === undefined ? {} : { offsetMs });
    t.after(() => vad.close());
    return vad.push(audio).filter((e) => e.type === "start").length;
  };
  assert.equal(await utterances(), 1);
  assert.equal(await utterances(300), 3);
});

test("keyword spotter lines: phrase, times, and the ratio per second as the confidence", () => {
  const d = parseDetection("turn on the kitchen light  0.320 1.560 0.902387");
  assert.equal(d?.phrase, "turn on the kitchen light");
  assert.equal(d?.start, 0.32);
  assert.equal(d?.end, 1.56);
  assert.ok(Math.abs((d?.confidence ?? 0) - 0.902387 ** (1 / 1.24)) < 1e-9);
  // A ratio above 1 (the phrase fits better than free phones) is capped.
  assert.equal(parseDetection("stop 0.1 0.5 1.2")?.confidence, 1);
  assert.equal(parseDetection("turn on the light  turn off the light "), undefined);
  const all = [d, parseDetection("what time is it 0.1 0.9 0.5")].filter((x) => x !== undefined);
  assert.equal(phraseConfidence(all, "turn on the kitchen  light"), d?.confidence);
  assert.equal(phraseConfidence(all, "stop the music"), 0);
});

test("a finite JSGF grammar lists its sentences; repeats and recursion do not", () => {
  const grammar = `#JSGF V1.0;
grammar house; // comment
public <a> = [please] (open | close) the door /* note */ {tag} | <b>;
<b> = stop;
public <c> = /2/ yes | /1/ no;`;
  assert.deepEqual(jsgfPhrases(grammar), [
    "open the door",
    "close the door",
    "please open the door",
    "please close the door",
    "stop",
    "yes",
    "no",
  ]);
  assert.deepEqual(jsgfPhrases(keywordsToJsgf(["turn on the light", "stop"])), [
    "turn on the light",
    "stop",
  ]);
  assert.equal(jsgfPhrases("#JSGF V1.0; grammar g; public <a> = go+;"), undefined);
  assert.equal(jsgfPhrases("#JSGF V1.0; grammar g; public <a> = go <a>;"), undefined);
  assert.equal(
    jsgfPhrases("#JSGF V1.0; grammar g; public <a> = (a | b) (c | d) (e | f);", 5),
    undefined,
  );
});
