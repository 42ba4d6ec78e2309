/**
 * The sherpa-onnx engine end to end on a tiny transducer the test writes (Parakeet's file
 * layout, random weights): real loading, features, decoding and token scores.
 */
import assert from "node:assert/strict";
import { copyFile, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { TestContext } from "node:test";
import { test } from "node:test";
import { installed, tempDir } from "named-pipe-tools-testkit";
import type { SttError } from "../src/errors.js";
import { SherpaEngine, sherpaTranscript } from "../src/engines/sherpa.js";
import { TEST_TRANSDUCER_WORDS, writeTestTransducer } from "../src/test-models/transducer.js";
import { startStt } from "./server-fixture.js";
import { bytesOf, concatSamples, silence, skipUnless, speak } from "./stt-helpers.js";

const NO_SHERPA = installed("sherpa-onnx-node")
  ? false
  : "sherpa-onnx-node is not installed (npm install sherpa-onnx-node)";

async function testModel(t: TestContext): Promise<string> {
  const dir = await tempDir(t, "stt-sherpa-");
  await writeTestTransducer(dir);
  return dir;
}

test(
  "sherpa engine: speech gives scored words from the model, silence gives nothing",
  { skip: NO_SHERPA },
  async (t) => {
    const skip = await skipUnless("espeak-ng");
    if (skip !== undefined) return t.skip(skip);
    const model = await testModel(t);
    const engine = new SherpaEngine({ model, threads: 1 });
    t.after(() => engine.close());
    await engine.load();
    assert.equal(engine.config()["family"], "transducer");
    const work = await tempDir(t);
    const speech = concatSamples(await speak(work, "s", "turn on the kitchen light"), silence(300));
    const seconds = speech.length / 16_000;
    const heard = await engine.transcribe(speech);
    t.diagnostic(`heard: ${JSON.stringify(heard).slice(0, 300)}`);
    const words = heard.words ?? [];
    assert.ok(words.length >= 3, `${words.length} words`);
    assert.equal(heard.text, words.map((w) => w.word).join(" "));
    for (const w of words) {
      assert.ok((TEST_TRANSDUCER_WORDS as readonly string[]).includes(w.word), w.word);
      assert.ok(w.start >= 0 && w.end > w.start && w.end <= seconds, JSON.stringify(w));
      assert.ok(w.confidence !== undefined && w.confidence > 0 && w.confidence <= 1);
    }
    assert.ok(words.every((w, i) => i === 0 || w.start >= (words[i - 1]?.start ?? 0)));
    assert.ok(heard.confidence !== undefined && heard.confidence > 0 && heard.confidence <= 1);
    assert.deepEqual(await engine.transcribe(silence(1000)), { text: "" });
  },
);

test(
  "sherpa engine through the server: data-channel speech, confidence, rejection below the minimum",
  { skip: NO_SHERPA },
  async (t) => {
    const skip = await skipUnless("espeak-ng");
    if (skip !== undefined) return t.skip(skip);
    const model = await testModel(t);
    const work = await tempDir(t);
    const speech = await speak(work, "s", "stop the music");
    const { client, log } = await startStt(t, {
      engine: "sherpa",
      model,
      threads: 1,
      input: "data",
      minConfidence: 0.999,
    });
    assert.equal((await client.call("get_config"))["engine"], "sherpa");
    client.sendData(bytesOf(concatSamples(silence(300), speech, silence(900))));
    await log.until(() => log.named("speech_end").length === 1, 60_000, "speech_end");
    const start = log.named("speech_start")[0];
    const end = log.named("speech_end")[0];
    assert.ok(start !== undefined && typeof start["time"] === "number");
    // Random weights score well below 0.999: the words are withheld, with what was heard.
    assert.equal(end?.["text"], "");
    assert.ok(String(end?.["rejected"]).length > 0);
    assert.ok(Number(end?.["confidence"]) < 0.999);
  },
);

test(
  "sherpa engine: a model name resolves through the cache; a missing binding names the install",
  { skip: NO_SHERPA },
  async (t) => {
    const cacheDir = await tempDir(t);
    const dir = path.join(cacheDir, "parakeet-tdt-110m");
    await mkdir(dir);
    await writeTestTransducer(dir);
    await writeFile(path.join(dir, ".complete"), "{}\n");
    const byName = new SherpaEngine({ model: "parakeet-tdt-110m", fetch: { cacheDir } });
    t.after(() => byName.close());
    await byName.load();
    assert.equal(byName.config()["model_dir"], dir);

    const missing = Object.assign(new Error("Cannot find package 'sherpa-onnx-node'"), {
      code: "ERR_MODULE_NOT_FOUND",
    });
    const noBinding = new SherpaEngine({
      model: dir,
      importBinding: () => Promise.reject(missing),
    });
    await assert.rejects(noBinding.load(), (err: SttError) => {
      assert.equal(err.code, "ENOENGINE");
      assert.match(err.message, /install it beside the server with 'npm install sherpa-onnx-node'/);
      return true;
    });
    await assert.rejects(new SherpaEngine({ model: cacheDir }).load(), (err: SttError) => {
      assert.equal(err.code, "ENOMODEL");
      assert.match(err.message, /is not a sherpa-onnx model directory/);
      return true;
    });
    await assert.rejects(
      new SherpaEngine({ model: "no-such-model" }).load(),
      /unknown model 'no-such-model'/,
    );
    // Valid ONNX that sherpa-onnx cannot use ends its process: the engine tries it apart first.
    const wrong = await tempDir(t);
    await writeTestTransducer(wrong);
    await copyFile(path.join(wrong, "decoder.onnx"), path.join(wrong, "encoder.onnx"));
    await assert.rejects(new SherpaEngine({ model: wrong }).load(), (err: SttError) => {
      assert.equal(err.code, "ENOMODEL");
      assert.match(err.message, /sherpa-onnx cannot load '.*': /);
      return true;
    });
  },
);

test("sherpa results: tokens become words with times and confidences", () => {
  const t = sherpaTranscript(
    {
      text: " Hello world.",
      tokens: ["▁Hel", "lo", " world", "."],
      timestamps: [0.1, 0.2, 0.5, 0.8],
      ys_log_probs: [-0.1, -0.3, -0.2, -0.05],
    },
    1,
  );
  assert.equal(t.text, "Hello world.");
  assert.deepEqual(
    t.words?.map((w) => [w.word, w.start, w.end]),
    [
      ["Hello", 0.1, 0.5],
      ["world.", 0.5, 1],
    ],
  );
  assert.equal(t.words?.[0]?.confidence, Math.round(Math.exp(-0.2) * 1000) / 1000);
  assert.equal(t.confidence, Math.round(Math.exp(-0.1625) * 1000) / 1000);
  assert.deepEqual(sherpaTranscript({ text: "hi" }, 1), { text: "hi" });
});
