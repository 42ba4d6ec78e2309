/**
 * Neural voices through sherpa-onnx, end to end on tiny voices the test writes (Piper and
 * Kokoro formats, random weights): real phonemizing, token mapping and inference, with the
 * audio streamed to a data-channel client as the server's other engines do.
 */
import assert from "node:assert/strict";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { TestContext } from "node:test";
import { test } from "node:test";
import type { RemoteError } from "named-pipe-tools";
import { ToolClient } from "named-pipe-tools";
import { installed, tempDir } from "named-pipe-tools-testkit";
import type { TtsError } from "../src/errors.js";
import { SherpaTtsEngine } from "../src/sherpa-engine.js";
import { createTtsServer } from "../src/tts-server.js";
import {
  SAMPLES_PER_TOKEN,
  writeTestKokoroVoice,
  writeTestPiperVoice,
} from "../src/test-models/voices.js";
import { NO_ESPEAK, listen, pcmOf, rms, startTts } from "./tts-helpers.js";

/** The voices need sherpa-onnx-node and the system's espeak-ng-data. */
const SKIP = !installed("sherpa-onnx-node")
  ? "sherpa-onnx-node is not installed (npm install sherpa-onnx-node)"
  : NO_ESPEAK;

async function voiceDir(t: TestContext, write: (dir: string) => Promise<void>): Promise<string> {
  const dir = await tempDir(t, "tts-voice-");
  await write(dir);
  return dir;
}

test("a Piper voice speaks through the server; the rate shortens it", { skip: SKIP }, async (t) => {
  const model = await voiceDir(t, (d) => writeTestPiperVoice(d));
  const { server, dir } = await startTts(t, { model, pace: "fast" });
  const l = await listen(t, dir);
  const config = await l.client.call("get_config");
  assert.equal(config["engine"], "sherpa");
  assert.equal(config["sample_rate"], 22_050);
  assert.deepEqual((await l.client.call("list_voices"))["voices"], [
    { id: "0", name: "speaker 0", language: "en" },
  ]);
  const normal = await l.client.call("speak", { text: "Hello world." });
  const fast = await l.client.call("speak", { text: "Hello world.", rate: 2 });
  const [a] = normal["speech_ids"] as number[];
  const [b] = fast["speech_ids"] as number[];
  await l.ended(a ?? -1);
  await l.ended(b ?? -1);
  const slow = pcmOf(l.frames, a).length / 2;
  const quick = pcmOf(l.frames, b).length / 2;
  t.diagnostic(`samples at rate 1: ${slow}, at rate 2: ${quick}`);
  // Phonemes of "Hello world." with Piper's pads: dozens of ids, 512 samples each.
  assert.ok(slow >= 20 * SAMPLES_PER_TOKEN && slow % SAMPLES_PER_TOKEN === 0, `${slow}`);
  assert.ok(Math.abs(quick / slow - 0.5) < 0.01, `${quick} / ${slow}`);
  assert.ok(rms(pcmOf(l.frames, a)) > 1000);
  const start = l.events.find((e) => e.event === "speech_start");
  assert.equal(start?.["sample_rate"], 22_050);
  assert.equal(server.engine.name, "sherpa");
});

test(
  "a two-speaker Kokoro voice: speakers by id, each its own voice",
  { skip: SKIP },
  async (t) => {
    const model = await voiceDir(t, (d) => writeTestKokoroVoice(d));
    const { dir } = await startTts(t, { model, pace: "fast" });
    const l = await listen(t, dir);
    assert.equal((await l.client.call("get_config"))["sample_rate"], 24_000);
    const voices = (await l.client.call("list_voices"))["voices"] as { id: string }[];
    assert.deepEqual(
      voices.map((v) => v.id),
      ["0", "1"],
    );
    const quiet = (await l.client.call("speak", { text: "Stop the music." }))[
      "speech_ids"
    ] as number[];
    const loud = (await l.client.call("speak", { text: "Stop the music.", voice: "1" }))[
      "speech_ids"
    ] as number[];
    await l.ended(quiet[0] ?? -1);
    await l.ended(loud[0] ?? -1);
    const ratio = rms(pcmOf(l.frames, loud[0])) / rms(pcmOf(l.frames, quiet[0]));
    assert.ok(Math.abs(ratio - 2) < 0.1, `speaker 1 / speaker 0 level: ${ratio}`);
    await assert.rejects(l.client.call("speak", { text: "Hi.", voice: "7" }), /unknown voice '7'/);
  },
);

test(
  "a voice name resolves through the cache; without the binding the server says how to install it",
  { skip: SKIP },
  async (t) => {
    const cacheDir = await tempDir(t);
    const dir = path.join(cacheDir, "piper-amy-low");
    await mkdir(dir);
    await writeTestPiperVoice(dir, 16_000);
    await writeFile(path.join(dir, ".complete"), "{}\n");
    const engine = new SherpaTtsEngine({ model: "piper-amy-low", fetch: { cacheDir } });
    await engine.load();
    assert.equal(engine.directory, dir);
    assert.equal(engine.sampleRate, 16_000);
    // A Kokoro model without its voices.bin reads as a Piper voice, which sherpa-onnx would end
    // the process over (no Piper metadata): the engine tries it apart first.
    const broken = await voiceDir(t, (d) => writeTestKokoroVoice(d));
    await rm(path.join(broken, "voices.bin"));
    await assert.rejects(new SherpaTtsEngine({ model: broken }).load(), (err: TtsError) => {
      assert.equal(err.code, "ENOENGINE");
      assert.match(err.message, /sherpa-onnx cannot load '.*': /);
      return true;
    });

    const missing = Object.assign(new Error("Cannot find package 'sherpa-onnx-node'"), {
      code: "ERR_MODULE_NOT_FOUND",
    });
    const pipes = await tempDir(t);
    const server = createTtsServer({
      dir: pipes,
      log: null,
      play: false,
      handleSignals: false,
      engine: new SherpaTtsEngine({ model: dir, importBinding: () => Promise.reject(missing) }),
    });
    t.after(() => server.close());
    await server.listen();
    await assert.rejects(server.ready, { code: "ENOENGINE" });
    const client = await ToolClient.connect("tts", { dir: pipes });
    t.after(() => client.close());
    assert.equal((await client.call("get_state"))["state"], "error");
    await assert.rejects(client.call("speak", { text: "Hi." }), (err: RemoteError) => {
      assert.equal(err.remoteCode, "no_engine");
      assert.match(err.message, /install it beside the server with 'npm install sherpa-onnx-node'/);
      return true;
    });
  },
);
