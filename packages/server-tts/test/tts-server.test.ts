import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import type { RemoteError } from "named-pipe-tools";
import { ToolClient } from "named-pipe-tools";
import { tempDir } from "named-pipe-tools-testkit";
import type { TtsEngine } from "../src/engine.js";
import { createTtsServer } from "../src/tts-server.js";
import { NO_ESPEAK, listen, pcmOf, rms, startTts } from "./tts-helpers.js";

test(
  "speak synthesizes real speech: events, frames and reply tie together",
  { skip: NO_ESPEAK },
  async (t) => {
    const { dir, server } = await startTts(t, { pace: "fast" });
    const l = await listen(t, dir);
    assert.equal((await l.client.call("get_state"))["state"], "idle");
    const reply = await l.client.call("speak", { data: "Hello world." });
    assert.equal(reply["event"], "spoken");
    assert.deepEqual(reply["speech_ids"], [1]);
    assert.equal(reply["cancelled"], false);
    const end = await l.ended(1);
    assert.equal(end.cancelled, false);
    const pcm = pcmOf(l.frames, 1);
    const seconds = pcm.length / 2 / server.engine.sampleRate;
    assert.ok(seconds > 0.5 && seconds < 2, `"Hello world." lasted ${seconds} s`);
    assert.ok(rms(pcm) > 500, "speech is not silent");
    assert.equal(Math.abs((reply["duration_ms"] as number) - seconds * 1000) < 2, true);
    // Every frame but the last PCM one is full; seqs run 0..n without gaps.
    assert.deepEqual(
      l.frames.map((f) => f.seq),
      l.frames.map((_, i) => i),
    );
    for (const f of l.frames.slice(0, -2)) assert.equal(f.pcm.length, 2048);
    assert.equal(l.frames.at(-1)?.pcm.length, 0);
    const start = l.events.find((e) => e["event"] === "speech_start");
    const stop = l.events.find((e) => e["event"] === "speech_end");
    assert.deepEqual(
      {
        id: start?.["speech_id"],
        text: start?.["text"],
        rate: start?.["sample_rate"],
        fmt: start?.["format"],
      },
      { id: 1, text: "Hello world.", rate: 22050, fmt: "s16le" },
    );
    assert.equal(stop?.["speech_id"], 1);
    assert.equal(stop?.["samples"], pcm.length / 2);
    const states = l.events.filter((e) => e["event"] === "state_changed").map((e) => e["state"]);
    assert.deepEqual(states, ["synthesizing", "idle"]);
  },
);

test("several clients receive identical frames in order", { skip: NO_ESPEAK }, async (t) => {
  const { dir } = await startTts(t, { pace: "fast" });
  const listeners = await Promise.all([listen(t, dir), listen(t, dir), listen(t, dir)]);
  const feeder = listeners[0].client;
  // Streamed like LLM tokens: three sentences, the last completed by flush.
  const tokens = [
    "The quick",
    " brown fox. It jum",
    "ped over Dr. Smith",
    "'s dog! And then",
    " it rested",
  ];
  const replies = await Promise.all([
    ...tokens.map((data) => feeder.call("text", { data })),
    feeder.call("flush"),
  ]);
  const ids = replies.flatMap((r) => r["speech_ids"] as number[]);
  assert.deepEqual(ids, [1, 2, 3]);
  await Promise.all(listeners.map((l) => l.ended(3)));
  const reference = listeners[0].frames;
  assert.deepEqual([...new Set(reference.map((f) => f.speechId))], [1, 2, 3]);
  for (const l of listeners) {
    assert.equal(l.frames.length, reference.length);
    l.frames.forEach((f, i) => {
      const r = reference[i]!;
      assert.equal(f.speechId, r.speechId);
      assert.equal(f.seq, r.seq);
      assert.ok(f.pcm.equals(r.pcm), `frame ${i} differs`);
    });
  }
  // Within each speech, seqs are contiguous and only the last frame ends it.
  for (const id of ids) {
    const mine = reference.filter((f) => f.speechId === id);
    assert.deepEqual(
      mine.map((f) => f.seq),
      mine.map((_, i) => i),
    );
    assert.deepEqual(
      mine.map((f) => f.end),
      mine.map((_, i) => i === mine.length - 1),
    );
    assert.ok(rms(pcmOf(mine)) > 500);
  }
  const texts = listeners[1].events
    .filter((e) => e["event"] === "speech_start")
    .map((e) => e["text"]);
  assert.deepEqual(texts, [
    "The quick brown fox.",
    "It jumped over Dr. Smith's dog!",
    "And then it rested",
  ]);
});

test(
  "stop_speaking mid-sentence stops the audio within one frame and drops the queue",
  { skip: NO_ESPEAK },
  async (t) => {
    const { dir, server } = await startTts(t, { pace: "realtime", leadMs: 100 });
    const l = await listen(t, dir);
    // Count, in the server, the audio frames sent, and how many had been sent at the stop.
    let sent = 0;
    let sentAtStop = -1;
    const broadcastData = server.broadcastData.bind(server);
    server.broadcastData = (payload) => {
      if (payload.length > 16) sent++;
      broadcastData(payload);
    };
    const stopSpeaking = server.stopSpeaking.bind(server);
    server.stopSpeaking = () => {
      sentAtStop = sent;
      return stopSpeaking();
    };
    const long =
      "This sentence is long enough to take several seconds to say, so that it can be interrupted.";
    await l.client.call("text", { data: `${long} A second sentence that must never be heard. ` });
    // Past the lead, frames leave at playback speed: interrupt there.
    await l.frame((f) => f.speechId === 1 && f.seq === 8);
    const before = l.frames.length;
    const reply = await l.client.call("stop_speaking");
    assert.equal(reply["event"], "stopped");
    assert.ok((reply["cancelled"] as number) >= 2, "the current and the queued sentence");
    const end = await l.ended(1);
    assert.equal(end.cancelled, true);
    assert.ok(sent - sentAtStop <= 1, `${sent - sentAtStop} frames of audio sent after the stop`);
    // What the client got after asking: frames already in the pipe, plus at most that one.
    const after = l.frames.slice(before).filter((f) => f.pcm.length > 0);
    assert.equal(before + after.length, sent, "every frame sent arrived");
    assert.ok(after.length <= 3, `${after.length} frames of audio after the request`);
    const total = l.frames.filter((f) => f.speechId === 1).length;
    assert.ok(total < 40, `the sentence was cut (${total} frames)`);
    assert.equal((await l.client.call("is_speaking"))["speaking"], false);
    const ended = l.events.find((e) => e["event"] === "speech_end");
    assert.equal(ended?.["cancelled"], true);
    // Nothing of the dropped sentence, and new text speaks normally afterwards.
    await l.client.call("speak", { text: "Again.", wait: true });
    const starts = l.events.filter((e) => e["event"] === "speech_start").map((e) => e["text"]);
    assert.deepEqual(starts, [long, "Again."]);
  },
);

test(
  "cancelling a speak request (built-in cancel) stops its speech",
  { skip: NO_ESPEAK },
  async (t) => {
    const { dir } = await startTts(t, { pace: "realtime", leadMs: 50 });
    const l = await listen(t, dir);
    const abort = new AbortController();
    const call = l.client.call(
      "speak",
      { text: "A long sentence that will be cut short by the client cancelling its request." },
      { signal: abort.signal },
    );
    await l.frame((f) => f.seq === 3);
    abort.abort();
    await assert.rejects(call, (err: Error & { code?: string }) => err.code === "EABORTED");
    const end = await l.ended(1);
    assert.equal(end.cancelled, true);
    assert.ok(end.seq < 20);
  },
);

test("a bare cancel from any client stops everyone's speech", { skip: NO_ESPEAK }, async (t) => {
  const { dir } = await startTts(t, { pace: "realtime", leadMs: 50 });
  const l = await listen(t, dir);
  await using other = await ToolClient.connect("tts", { dir });
  await l.client.call("text", {
    data: "A long first sentence that goes on for quite a while. And a second one. ",
  });
  await l.frame((f) => f.seq === 3);
  await other.call("cancel");
  const end = await l.ended(1);
  assert.equal(end.cancelled, true);
  assert.equal((await l.client.call("is_speaking"))["speaking"], false);
  assert.equal(
    l.events.filter((e) => e["event"] === "speech_start").length,
    1,
    "the queued sentence never started",
  );
});

test("voices and rate", { skip: NO_ESPEAK }, async (t) => {
  const { dir, server } = await startTts(t, { pace: "fast" });
  const client = await ToolClient.connect("tts", { dir });
  t.after(() => client.close());
  const voices = (await client.call("list_voices"))["voices"] as { id: string }[];
  assert.ok(voices.some((v) => v.id === "en-us") && voices.length > 20);
  assert.equal((await client.call("set_voice", { voice: "en-gb" }))["voice"], "en-gb");
  assert.equal((await client.call("set_voice", { voice: "en-us+f3" }))["voice"], "en-us+f3");
  await assert.rejects(
    client.call("set_voice", { voice: "no-such-voice" }),
    (err: RemoteError) => err.remoteCode === "bad_voice" && /no-such-voice/.test(err.message),
  );
  const slow = await client.call("speak", { text: "Rate test sentence.", rate: 1 });
  assert.equal((await client.call("set_rate", { rate: 2 }))["rate"], 2);
  const fast = await client.call("speak", { text: "Rate test sentence." });
  assert.ok((fast["duration_ms"] as number) < (slow["duration_ms"] as number) * 0.75);
  await assert.rejects(
    client.call("set_rate", { rate: 99 }),
    (err: RemoteError) => err.remoteCode === "bad_args",
  );
  assert.equal(server.rate, 2);
  const config = await client.call("get_config");
  assert.equal(config["sample_rate"], 22050);
  assert.equal(config["voice"], "en-us+f3");
});

test("--wav writes what was spoken as a valid WAV", { skip: NO_ESPEAK }, async (t) => {
  const wav = path.join(await tempDir(t), "out.wav");
  const { dir, server } = await startTts(t, { pace: "fast", wav });
  const l = await listen(t, dir);
  await l.client.call("speak", { text: "One. Two." });
  await server.close();
  const file = await readFile(wav);
  const pcm = pcmOf(l.frames);
  assert.equal(file.toString("latin1", 0, 4), "RIFF");
  assert.equal(file.readUInt32LE(24), 22050);
  assert.equal(file.readUInt32LE(40), pcm.length);
  assert.ok(file.subarray(44).equals(pcm));
});

test("a missing engine gives state error and error replies, not a crash", async (t) => {
  const dir = await tempDir(t);
  const server = createTtsServer({
    dir,
    log: null,
    play: false,
    handleSignals: false,
    espeakBinary: "/nonexistent/espeak-ng",
  });
  t.after(() => server.close());
  await server.listen();
  await assert.rejects(server.ready, (err: Error & { code?: string }) => err.code === "ENOENGINE");
  const client = await ToolClient.connect("tts", { dir });
  t.after(() => client.close());
  assert.equal((await client.call("get_state"))["state"], "error");
  await assert.rejects(
    client.call("speak", { text: "Hi." }),
    (err: RemoteError) => err.remoteCode === "no_engine" && /not installed/.test(err.message),
  );
});

test("stop_speaking silences text given before it, even while the engine is still loading", async (t) => {
  // An engine whose load the test releases, and which counts what it is asked to say.
  let release!: () => void;
  const loaded = new Promise<void>((resolve) => (release = resolve));
  const said: string[] = [];
  const engine: TtsEngine = {
    name: "gated",
    sampleRate: 16_000,
    defaultVoice: "v",
    load: () => loaded,
    listVoices: async () => [{ id: "v", name: "v" }],
    async *synthesize(text) {
      said.push(text);
      yield new Uint8Array(320);
    },
  };
  const dir = await tempDir(t, "tts-");
  const server = createTtsServer({ dir, log: null, play: false, handleSignals: false, engine });
  t.after(() => server.close());
  await server.listen();
  const client = await ToolClient.connect("tts", { dir });
  t.after(() => client.close());
  const text = client.call("text", { data: "Hello there. General Kenobi. " });
  const stopped = await client.call("stop_speaking");
  release();
  assert.deepEqual((await text)["speech_ids"], [], "nothing queued after the stop");
  assert.equal(stopped.event, "stopped");
  await client.call("flush");
  assert.deepEqual(said, [], "the engine was asked to say nothing");
});
