import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { CPIPE, spawnNode, tempDir, waitForOutput } from "named-pipe-tools-testkit";
import { PocketsphinxEngine } from "../src/engines/pocketsphinx.js";
import { WhisperEngine } from "../src/engines/whisper.js";
import type { SttError } from "../src/errors.js";
import { TEST_GRAMMAR, startStt } from "./server-fixture.js";
import { skipUnless, speakToFile, wordErrorRate } from "./stt-helpers.js";

const run = promisify(execFile);

const SENTENCES = [
  "turn on the kitchen light",
  "what time is it",
  "turn off the garden light",
  "stop the music",
];

test("transcribe {path} with a JSGF grammar: exact words, with timings", async (t) => {
  const skip = await skipUnless("espeak-ng", "pocketsphinx_continuous");
  if (skip !== undefined) return t.skip(skip);
  const work = await tempDir(t);
  const grammar = path.join(work, "house.gram");
  await writeFile(grammar, TEST_GRAMMAR);
  const { client } = await startStt(t, { input: "none", grammar });
  for (const [i, sentence] of SENTENCES.entries()) {
    const file = await speakToFile(work, `s${i}`, sentence);
    const reply = await client.call("transcribe", { path: file });
    assert.equal(reply.event, "transcript");
    assert.equal(reply["text"], sentence);
    const words = reply["words"] as { word: string; start: number; end: number }[];
    assert.deepEqual(
      words.map((w) => w.word),
      sentence.split(" "),
    );
    assert.ok(words.every((w) => w.end > w.start));
  }
  await assert.rejects(
    client.call("transcribe", { path: path.join(work, "missing.wav") }),
    /cannot read audio file/,
  );
});

test("transcribe free-form (no grammar): reports the word error rate", async (t) => {
  const skip = await skipUnless("espeak-ng", "pocketsphinx_continuous");
  if (skip !== undefined) return t.skip(skip);
  const work = await tempDir(t);
  const { client } = await startStt(t, { input: "none" });
  let errors = 0;
  let words = 0;
  for (const [i, sentence] of SENTENCES.entries()) {
    const file = await speakToFile(work, `f${i}`, sentence);
    const reply = await client.call("transcribe", { path: file });
    const text = String(reply["text"]);
    const n = sentence.split(" ").length;
    errors += wordErrorRate(sentence, text) * n;
    words += n;
    t.diagnostic(`"${sentence}" -> "${text}"`);
  }
  // Synthetic speech and the generic language model: accuracy is poor; this only reports it.
  t.diagnostic(
    `free-form WER (pocketsphinx, espeak-ng speech): ${((errors / words) * 100).toFixed(0)}% over ${words} words`,
  );
});

const COMMANDS = ["turn on the light", "turn off the light", "what time is it", "stop the music"];
/** Sentences the grammar decoder alone maps onto a command (measured: see pocketsphinx-spotter.ts). */
const LOOKALIKES: Record<string, string> = {
  "turn on the oven": "turn on the light",
  "the music stopped": "stop the music",
  "turn off the night": "turn off the light",
  "what a time it is": "what time is it",
};

test("keywords: commands come with a confidence; look-alike sentences are rejected", async (t) => {
  const skip = await skipUnless("espeak-ng", "pocketsphinx_continuous");
  if (skip !== undefined) return t.skip(skip);
  const work = await tempDir(t);
  const { client } = await startStt(t, { input: "none", keywords: COMMANDS });
  assert.equal((await client.call("get_config"))["min_confidence"], 0.7);
  for (const [i, phrase] of COMMANDS.entries()) {
    const reply = await client.call("transcribe", {
      path: await speakToFile(work, `c${i}`, phrase),
    });
    t.diagnostic(`"${phrase}": confidence ${String(reply["confidence"])}`);
    assert.equal(reply["text"], phrase);
    assert.ok(Number(reply["confidence"]) >= 0.7 && Number(reply["confidence"]) <= 1);
    assert.equal(reply["rejected"], undefined);
  }
  for (const [i, [sentence, closest]] of Object.entries(LOOKALIKES).entries()) {
    const reply = await client.call("transcribe", {
      path: await speakToFile(work, `o${i}`, sentence),
    });
    t.diagnostic(`"${sentence}": ${JSON.stringify(reply)}`);
    assert.equal(reply["text"], "", `"${sentence}" must not come back as a command`);
    if (reply["rejected"] !== undefined) {
      assert.equal(reply["rejected"], closest);
      assert.ok(Number(reply["confidence"]) < 0.7);
    }
  }
});

test("free-form results carry word posteriors and their mean", async (t) => {
  const skip = await skipUnless("espeak-ng", "pocketsphinx_continuous");
  if (skip !== undefined) return t.skip(skip);
  const work = await tempDir(t);
  const { client } = await startStt(t, { input: "none" });
  const reply = await client.call("transcribe", {
    path: await speakToFile(work, "free", "open the door please"),
  });
  const words = reply["words"] as { word: string; confidence: number }[];
  assert.ok(words.length > 0);
  assert.ok(words.every((w) => w.confidence >= 0 && w.confidence <= 1));
  const mean = words.reduce((n, w) => n + w.confidence, 0) / words.length;
  assert.ok(Math.abs(Number(reply["confidence"]) - mean) < 0.002);
});

test('cpipe --serve stt, then cpipe stt transcribe -j \'{"path":"x.wav"}\' from the client\'s directory', async (t) => {
  const skip = await skipUnless("espeak-ng", "pocketsphinx_continuous");
  if (skip !== undefined) return t.skip(skip);
  const dir = await tempDir(t);
  const grammar = path.join(dir, "house.gram");
  await writeFile(grammar, TEST_GRAMMAR);
  await speakToFile(dir, "x", "turn off the bedroom light");
  const cpipe = CPIPE;
  const server = spawnNode(t, cpipe, [
    "--serve",
    "stt",
    "--input",
    "none",
    "--grammar",
    grammar,
    "--dir",
    dir,
  ]);
  await waitForOutput(server, (out) => out.includes("ready "), 60_000);
  // A relative path resolves against the client's working directory, not the server's.
  const { stdout } = await run(
    process.execPath,
    [cpipe, "--dir", dir, "stt", "transcribe", "-t", "60", "-j", '{"path":"x.wav"}'],
    {
      cwd: dir,
    },
  );
  assert.match(stdout, /"text": "turn off the bedroom light"/);
  server.child.kill("SIGTERM");
  assert.equal(await server.exited, 0);
});

test("a missing engine or model fails to load with the fix in the message", async (t) => {
  // As a process, the server then keeps serving in state `error`: see fail-loudly.test.ts.
  const dir = await tempDir(t);
  await assert.rejects(
    new WhisperEngine({ model: path.join(dir, "ggml-missing.bin") }).load(),
    (err: SttError) => {
      // Without the binding: its install command; with it, the missing model.
      assert.ok(err.code === "ENOENGINE" || err.code === "ENOMODEL", err.message);
      assert.match(err.message, /npm install @fugood\/|does not exist/);
      return true;
    },
  );
  const model = path.join(dir, "ggml-fake.bin");
  await writeFile(model, "not a model");
  // Without the binding: its install command; with it, the fake model fails to load.
  await assert.rejects(new WhisperEngine({ model }).load(), (err: SttError) => {
    assert.ok(err.code === "ENOENGINE" || err.code === "ENOMODEL", err.message);
    assert.match(err.message, /npm install @fugood\/|cannot load model/);
    return true;
  });
  const noProgram = new PocketsphinxEngine({ program: path.join(dir, "pocketsphinx_continuous") });
  await assert.rejects(noProgram.load(), (err: SttError) => {
    assert.equal(err.code, "ENOENGINE");
    assert.match(
      err.message,
      /pocketsphinx is not installed .*apt-get install pocketsphinx pocketsphinx-en-us/,
    );
    return true;
  });
});
