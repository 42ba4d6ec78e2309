import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { tempDir } from "named-pipe-tools-testkit";
import { WhisperEngine } from "../src/engines/whisper.js";
import type { SttError } from "../src/errors.js";

test("whisper engine: audio reaches the binding as 16 kHz s16; segments become words", async (t) => {
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
              { text: " world.", t0: 40, t1: 95 },
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
      { word: "world.", start: 0.4, end: 0.95 },
    ],
  });
  await engine.close();
  assert.ok(released);
});

test("whisper engine: a missing package names the npm install", async (t) => {
  const dir = await tempDir(t);
  const model = path.join(dir, "ggml-test.bin");
  await writeFile(model, "stub");
  const missing = Object.assign(new Error("Cannot find package '@fugood/whisper.node'"), {
    code: "ERR_MODULE_NOT_FOUND",
  });
  const engine = new WhisperEngine({ model, importBinding: () => Promise.reject(missing) });
  await assert.rejects(engine.load(), (err: SttError) => {
    assert.equal(err.code, "ENOENGINE");
    assert.match(err.message, /install it with 'npm install @fugood\/whisper\.node'/);
    return true;
  });
  await assert.rejects(new WhisperEngine({ model: path.join(dir, "nope.bin") }).load(), {
    code: "ENOMODEL",
  });
});
