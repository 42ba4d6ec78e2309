import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { ToolClient } from "named-pipe-tools";
import { packageDir, spawnNode, waitForOutput } from "named-pipe-tools-testkit";
import { startStt } from "./server-fixture.js";
import { skipUnless } from "./stt-helpers.js";

const WAIT = 60_000;
const PHRASES = ["what time is it", "turn on the kitchen light", "stop the music"];
const TTS_MAIN = path.join(packageDir("named-pipe-tools-tts"), "dist/src/main.js");

test("end to end: the tts server speaks, its frames are streamed to stt, the words come back exactly", async (t) => {
  const skip = await skipUnless("espeak-ng", "pocketsphinx_continuous");
  if (skip !== undefined) return t.skip(skip);
  if (!existsSync(TTS_MAIN)) return t.skip("needs the tts server (packages/server-tts, built)");
  const { dir, client: stt, log } = await startStt(t, { input: "data", keywords: PHRASES });
  const tts = spawnNode(t, TTS_MAIN, [
    "--no-play",
    "--pace",
    "fast",
    "--voice",
    "en-gb",
    "--dir",
    dir,
  ]);
  await waitForOutput(tts, (out) => out.includes("ready "), WAIT);
  const speaker = await ToolClient.connect("tts", { dir, data: true, callTimeoutMs: WAIT });
  t.after(() => speaker.close());
  await stt.call("audio_format", { rate: 22_050, channels: 1, encoding: "s16le" });
  // TTS audio frames (PROTOCOL.md, "TTS audio frames"): a 16-byte header, then s16le PCM.
  speaker.onData((frame) => {
    if (frame.length < 16) return;
    const flags = frame.readUInt8(12);
    const pcm = frame.subarray(16);
    if (pcm.length > 0) stt.sendData(pcm);
    if ((flags & 1) !== 0) stt.sendData(new Uint8Array(0)); // end of the speech: end of the utterance
  });
  for (const [i, phrase] of PHRASES.entries()) {
    await speaker.call("speak", { text: phrase });
    await log.until(() => log.named("speech_end").length > i, WAIT, `speech_end for '${phrase}'`);
  }
  assert.deepEqual(
    log.named("speech_end").map((e) => e["text"]),
    PHRASES,
  );
  tts.child.kill("SIGTERM");
  await tts.exited;
});
