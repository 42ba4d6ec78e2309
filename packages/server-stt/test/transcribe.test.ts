import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import type { Spawned } from "named-pipe-tools-testkit";
import { CPIPE, spawnNode, tempDir, waitForOutput } from "named-pipe-tools-testkit";
import { PocketsphinxEngine } from "../src/engines/pocketsphinx.js";
import type { SttError } from "../src/errors.js";
import { TEST_GRAMMAR, startStt } from "./server-fixture.js";
import { skipUnless, speakToFile, wordErrorRate } from "./stt-helpers.js";

const run = promisify(execFile);

/** The exit code once the process has exited and its output streams have been read to the end. */
function closed(proc: Spawned): Promise<number | null> {
  return new Promise((resolve) => proc.child.once("close", (code) => resolve(code)));
}
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

test("a missing engine or model exits 1 with a one-line error naming the fix", async (t) => {
  const dir = await tempDir(t);
  const main = fileURLToPath(new URL("../src/main.js", import.meta.url));
  const noModel = spawnNode(t, main, ["--engine", "whisper", "--input", "none", "--dir", dir]);
  assert.equal(await closed(noModel), 1);
  assert.match(noModel.stderr(), /^stt: the whisper engine needs a model: pass --model FILE/);
  assert.equal(noModel.stderr().trim().split("\n").length, 1);
  const model = path.join(dir, "ggml-fake.bin");
  await writeFile(model, "not a model");
  const noPackage = spawnNode(t, main, [
    "--engine",
    "whisper",
    "--model",
    model,
    "--input",
    "none",
    "--dir",
    dir,
  ]);
  assert.equal(await closed(noPackage), 1);
  // The binding is an optional peer that is not installed here; where it is, the fake model fails instead.
  assert.match(noPackage.stderr(), /npm install @fugood\/whisper\.node|cannot load model/);
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
