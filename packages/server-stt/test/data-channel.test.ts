import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { ToolClient } from "named-pipe-tools";
import { tempDir, until } from "named-pipe-tools-testkit";
import { TEST_GRAMMAR, startStt } from "./server-fixture.js";
import { EventLog, bytesOf, concatSamples, silence, skipUnless, speak } from "./stt-helpers.js";

const WAIT = 60_000;

/** Sends samples in 100 ms frames (as fast as the pipe takes them). */
function stream(client: ToolClient, samples: Int16Array): void {
  for (let at = 0; at < samples.length; at += 1600)
    client.sendData(bytesOf(samples.subarray(at, at + 1600)));
}

test("data channel: utterances found by the VAD, transcribed exactly with a grammar", async (t) => {
  const skip = await skipUnless("espeak-ng", "pocketsphinx_continuous");
  if (skip !== undefined) return t.skip(skip);
  const work = await tempDir(t);
  const grammar = path.join(work, "house.gram");
  await writeFile(grammar, TEST_GRAMMAR);
  const { client, log } = await startStt(t, { input: "data", grammar });
  assert.equal((await client.call("get_state")).state, "listening");
  const a = await speak(work, "a", "turn on the kitchen light");
  const b = await speak(work, "b", "stop the music");
  stream(client, concatSamples(silence(300), a, silence(900), b, silence(900)));
  await log.until(() => log.named("speech_end").length >= 2, WAIT, "two speech_end");
  assert.deepEqual(
    log.named("speech_end").map((e) => e["text"]),
    ["turn on the kitchen light", "stop the music"],
  );
  const first = log.named("speech_end")[0];
  assert.match(String(first?.["source"]), /^data:/);
  assert.equal(first?.["reason"], "silence");
  assert.equal(typeof first?.["decode_ms"], "number");
  const words = first?.["words"] as { word: string; start: number; end: number }[];
  assert.deepEqual(
    words.map((w) => w.word),
    ["turn", "on", "the", "kitchen", "light"],
  );
  assert.ok(
    Math.abs((words[0]?.start ?? 0) - Date.now() / 1000) < 120,
    "word times are epoch seconds",
  );
  // Words that firmed up came as `token` events before the final transcript.
  assert.ok(log.named("token").length > 0);
  // Each final transcript was first broadcast as `speech` (the transcript so far).
  assert.equal(log.events.find((e) => e.event.startsWith("speech"))?.event, "speech_start");
  for (const end of log.named("speech_end")) {
    const at = log.events.indexOf(end);
    assert.ok(
      log.events.slice(0, at).some((e) => e.event === "speech" && e["text"] === end["text"]),
    );
  }
  await log.until(
    () => log.named("state_changed").at(-1)?.["state"] === "listening",
    WAIT,
    "listening again",
  );
  assert.ok(log.named("state_changed").some((e) => e["state"] === "transcribing"));
});

test("data channel: declared format (48 kHz stereo float) and an empty frame ending the utterance", async (t) => {
  const skip = await skipUnless("espeak-ng", "pocketsphinx_continuous");
  if (skip !== undefined) return t.skip(skip);
  const work = await tempDir(t);
  const { client, log } = await startStt(t, {
    input: "data",
    keywords: ["what time is it", "turn off the garden light"],
  });
  const reply = await client.call("audio_format", { rate: 48_000, channels: 2, encoding: "f32le" });
  assert.deepEqual(
    { ...reply, id: undefined },
    { event: "audio_format", rate: 48_000, channels: 2, encoding: "f32le", id: undefined },
  );
  const speech = concatSamples(silence(300), await speak(work, "q", "what time is it"));
  // 16 kHz mono s16 -> 48 kHz stereo float32 by repeating each sample 3 times on 2 channels.
  const bytes = Buffer.alloc(speech.length * 3 * 2 * 4);
  for (let i = 0; i < speech.length; i++) {
    for (let j = 0; j < 6; j++) bytes.writeFloatLE((speech[i] ?? 0) / 32768, (i * 6 + j) * 4);
  }
  for (let at = 0; at < bytes.length; at += 19_200)
    client.sendData(bytes.subarray(at, at + 19_200));
  client.sendData(new Uint8Array(0)); // end of audio, in order with the frames
  await log.until(() => log.named("speech_end").length >= 1, WAIT, "speech_end");
  assert.equal(log.named("speech_end")[0]?.["text"], "what time is it");
  assert.equal(log.named("speech_end")[0]?.["reason"], "flush");
});

test("pause ignores audio; start listens again", async (t) => {
  const skip = await skipUnless("espeak-ng", "pocketsphinx_continuous");
  if (skip !== undefined) return t.skip(skip);
  const work = await tempDir(t);
  const { client, log } = await startStt(t, {
    input: "data",
    keywords: ["stop the music", "what time is it"],
  });
  const a = concatSamples(silence(300), await speak(work, "a", "stop the music"), silence(900));
  const b = concatSamples(silence(300), await speak(work, "b", "what time is it"), silence(900));
  await client.call("pause");
  assert.equal((await client.call("get_state")).state, "paused");
  stream(client, a);
  // Frames travel on another pipe than calls: wait until the server has read (and ignored) them.
  const ignored = async (): Promise<number> =>
    Number((await client.call("get_stats"))["ignored_bytes"]);
  await until(async () => (await ignored()) === a.length * 2, WAIT, "paused audio ignored");
  await client.call("start");
  assert.equal((await client.call("get_state")).state, "listening");
  stream(client, b);
  await log.until(() => log.named("speech_end").length >= 1, WAIT, "speech_end");
  assert.deepEqual(
    log.named("speech_end").map((e) => e["text"]),
    ["what time is it"],
  );
  assert.deepEqual(log.named("speech_start").length, 1);
});

test("a client that disconnects mid-utterance: what it said is finished, others go on", async (t) => {
  const skip = await skipUnless("espeak-ng", "pocketsphinx_continuous");
  if (skip !== undefined) return t.skip(skip);
  const work = await tempDir(t);
  const { dir, client, log } = await startStt(t, {
    input: "data",
    keywords: ["turn on the kitchen light", "stop the music"],
  });
  const speech = await speak(work, "a", "turn on the kitchen light");
  const leaver = await ToolClient.connect("stt", { dir, data: true });
  const leaverLog = new EventLog(leaver);
  stream(leaver, concatSamples(silence(300), speech.subarray(0, Math.floor(speech.length * 0.8))));
  await leaverLog.until(() => leaverLog.named("speech_start").length > 0, WAIT, "speech_start");
  const source = leaverLog.named("speech_start")[0]?.["source"];
  await leaver.close();
  await log.until(
    () => log.named("speech_end", String(source)).length > 0,
    WAIT,
    "the leaver's speech_end",
  );
  assert.equal(log.named("speech_end", String(source))[0]?.["reason"], "flush");
  // The server still serves others.
  stream(
    client,
    concatSamples(silence(300), await speak(work, "b", "stop the music"), silence(900)),
  );
  await log.until(() => log.named("speech_end").length >= 2, WAIT, "second speech_end");
  assert.equal(log.named("speech_end").at(-1)?.["text"], "stop the music");
  assert.notEqual(log.named("speech_end").at(-1)?.["source"], source);
});
