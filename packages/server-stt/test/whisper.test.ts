import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { installed, tempDir } from "named-pipe-tools-testkit";
import { WHISPER_PLATFORM_PACKAGE, WhisperEngine } from "../src/engines/whisper.js";
import type { SttError } from "../src/errors.js";
import { TEST_WHISPER_WORDS, writeTestWhisperModel } from "../src/test-models/whisper-ggml.js";
import { startStt } from "./server-fixture.js";
import { skipUnless, speakToFile } from "./stt-helpers.js";

const NO_BINDING = installed(WHISPER_PLATFORM_PACKAGE)
  ? false
  : `${WHISPER_PLATFORM_PACKAGE} is not installed here`;

test(
  "whisper.cpp end to end: the real binding runs a ggml model the test writes",
  { skip: NO_BINDING },
  async (t) => {
    const skip = await skipUnless("espeak-ng", "pocketsphinx_continuous");
    if (skip !== undefined) return t.skip(skip);
    const dir = await tempDir(t);
    const model = path.join(dir, "ggml-test.bin");
    await writeTestWhisperModel(model);
    const { client } = await startStt(t, { engine: "whisper", model, threads: 1, input: "none" });
    const config = await client.call("get_config");
    assert.equal(config["engine"], "whisper");
    assert.equal(config["model_file"], model);
    const wav = await speakToFile(dir, "s", "open the door please");
    const reply = await client.call("transcribe", { path: wav });
    t.diagnostic(`heard: ${JSON.stringify(reply).slice(0, 300)}`);
    const text = String(reply["text"]);
    const words = reply["words"] as { word: string; start: number; end: number }[];
    const vocabulary = /^(?:[!-~]|hello|world|open|the|door|please|w\d+)+$/;
    assert.ok(text.length > 0);
    assert.ok(words.length > 0);
    for (const w of words) {
      assert.match(w.word, vocabulary);
      assert.ok(w.start >= 0 && w.end >= w.start && w.end <= Number(reply["duration"]));
    }
    assert.equal(reply["confidence"], undefined); // the binding reports no token probabilities
    void TEST_WHISPER_WORDS;
  },
);

test("whisper model names resolve through the cache", { skip: NO_BINDING }, async (t) => {
  const cacheDir = await tempDir(t);
  const dir = path.join(cacheDir, "tiny.en");
  await mkdir(dir);
  await writeTestWhisperModel(path.join(dir, "ggml-tiny.en.bin"));
  await writeFile(path.join(dir, ".complete"), "{}\n");
  const engine = new WhisperEngine({ model: "tiny.en", fetch: { cacheDir } });
  t.after(() => engine.close());
  await engine.load();
  assert.equal(engine.config()["model_file"], path.join(dir, "ggml-tiny.en.bin"));
  const silent = await engine.transcribe(new Int16Array(16_000));
  assert.equal(typeof silent.text, "string");
});

test("whisper engine: segments become words clamped to the audio", async (t) => {
  const dir = await tempDir(t);
  const model = path.join(dir, "ggml-test.bin");
  await writeFile(model, "stub");
  let received: ArrayBuffer | undefined;
  let released = false;
  const engine = new WhisperEngine({
    model,
    importBinding: async () => ({
      initWhisper: async (opts: { filePath: string }) => {
        assert.equal(opts.filePath, model);
        return {
          transcribeData: (audio: ArrayBuffer) => {
            received = audio;
            const segments = [
              { text: " Hello", t0: 0, t1: 40 },
              { text: " world.", t0: 40, t1: 150 },
            ];
            return {
              stop: async () => undefined,
              promise: Promise.resolve({ result: " Hello world.", segments }),
            };
          },
          release: async () => {
            released = true;
          },
        };
      },
    }),
  });
  await engine.load();
  const stream = engine.begin();
  stream.write(new Int16Array(8000));
  stream.write(new Int16Array(8000));
  const result = await stream.end();
  assert.equal(received?.byteLength, 32_000);
  assert.deepEqual(result, {
    text: "Hello world.",
    words: [
      { word: "Hello", start: 0, end: 0.4 },
      { word: "world.", start: 0.4, end: 1 },
    ],
  });
  await engine.close();
  assert.ok(released);
});

test("whisper engine: a missing binding names both install commands", async (t) => {
  const dir = await tempDir(t);
  const model = path.join(dir, "ggml-test.bin");
  await writeFile(model, "stub");
  const missing = Object.assign(new Error(`Cannot find module '${WHISPER_PLATFORM_PACKAGE}'`), {
    code: "MODULE_NOT_FOUND",
  });
  const engine = new WhisperEngine({ model, importBinding: () => Promise.reject(missing) });
  await assert.rejects(engine.load(), (err: SttError) => {
    assert.equal(err.code, "ENOENGINE");
    assert.match(
      err.message,
      /npm install @fugood\/node-whisper-.*or 'npm install @fugood\/whisper\.node'/,
    );
    return true;
  });
  await assert.rejects(
    new WhisperEngine({
      model: path.join(dir, "nope.bin"),
      importBinding: async () => ({ initWhisper: () => {} }),
    }).load(),
    { code: "ENOMODEL" },
  );
});
