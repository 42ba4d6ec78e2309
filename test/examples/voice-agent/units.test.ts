/**
 * The voice agent's pure parts: the recording timeline, the latency breakdown and its line,
 * the command line, and the JSON results.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { VoicedTimeline } from "../../../examples/voice-agent/recorder.js";
import { breakdown, latencyLine } from "../../../examples/voice-agent/latency.js";
import { UsageError, parseAgentArgs } from "../../../examples/voice-agent/options.js";
import { turnJson } from "../../../examples/voice-agent/report.js";
import { printable } from "../../../examples/voice-agent/ui.js";
import type { TurnReport } from "../../../examples/voice-agent/agent.js";

const RATE = 16_000;

function tone(ms: number, amplitude: number): Int16Array {
  const n = (RATE * ms) / 1000;
  return Int16Array.from({ length: n }, (_, i) => Math.round(amplitude * Math.sin(i / 5)));
}

test("VoicedTimeline: places voiced audio on the wall clock from the least-delayed chunk", () => {
  const tl = new VoicedTimeline(RATE);
  const start = 1_000_000;
  // 100 ms silence, 200 ms voice, 100 ms silence, in 50 ms chunks; each arrives 30 ms after
  // it was captured, except one that arrives only 5 ms after.
  const audio = [tone(100, 0), tone(200, 8000), tone(100, 0)];
  const all = new Int16Array(audio.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of audio) {
    all.set(a, at);
    at += a.length;
  }
  const chunk = RATE / 20;
  for (let i = 0; i < all.length; i += chunk) {
    const endMs = ((i + chunk) / RATE) * 1000;
    const delay = i === chunk * 3 ? 5 : 30;
    tl.push(all.subarray(i, i + chunk), start + endMs + delay);
  }
  assert.equal(tl.samples, all.length);
  assert.equal(tl.timeOf(0), start + 5);
  assert.equal(tl.end, start + 400 + 5);
  assert.equal(tl.firstVoicedAfter(start), start + 100 + 5);
  assert.equal(tl.firstVoicedAfter(start + 106), start + 110 + 5);
  assert.equal(tl.lastVoicedBefore(start + 1000), start + 300 + 5);
  assert.equal(tl.lastVoicedBefore(start + 50), undefined);
  assert.equal(tl.voicedMs(start, start + 1000), 200);
  assert.equal(tl.voicedMs(start + 205, start + 1000), 100);
});

test("VoicedTimeline: quiet noise is not voice", () => {
  const tl = new VoicedTimeline(RATE);
  tl.push(tone(500, 300), 1000);
  assert.equal(tl.firstVoicedAfter(0), undefined);
  assert.equal(tl.voicedMs(0, 10_000), 0);
});

test("breakdown: every hop from the end of speech to the first audio out", () => {
  const b = breakdown({
    speechEnd: 1000,
    transcript: 1450,
    sttEndDelayMs: 430,
    sttDecodeMs: 30,
    request: 1451,
    firstToken: 1460,
    firstSentence: 1500,
    firstFrame: 1540,
    audioOut: 1560,
  });
  assert.deepEqual(b, {
    transcript_ms: 450,
    vad_offset_ms: 400,
    decode_ms: 30,
    rest_ms: 20,
    first_token_ms: 10,
    first_sentence_ms: 40,
    synthesis_ms: 40,
    playback_ms: 20,
    total_ms: 560,
  });
  assert.equal(
    latencyLine(b),
    "end of speech -> transcript 450 ms (silence 400 + decode 30 + rest 20) -> first token 10 ms" +
      " -> first sentence 40 ms -> first audio 40 ms (synthesis) + 20 ms (playback) = 560 ms",
  );
});

test("breakdown: a missing moment leaves its parts out", () => {
  const b = breakdown({ transcript: 10, firstToken: 15 });
  assert.deepEqual(b, { first_token_ms: 5 });
  assert.match(latencyLine(b), /transcript \? -> first token 5 ms .* = \?$/);
});

test("parseAgentArgs: defaults, server options and loopback options", () => {
  const o = parseAgentArgs([])!;
  assert.deepEqual(o.names, { stt: "stt", chat: "chat", tts: "tts" });
  assert.equal(o.start, true);
  assert.equal(o.bargeIn, true);
  assert.equal(o.endSilenceMs, 400);
  assert.equal(o.loopback, undefined);
  const l = parseAgentArgs([
    "--loopback",
    "q.wav",
    "--interrupt",
    "i.wav",
    "--repeat",
    "3",
    "--stt-arg=--vad-mode=3",
    "--stt-arg=--vad-onset=60",
    "--no-barge-in",
    "--chat",
    "llm",
  ])!;
  assert.equal(l.loopback, "q.wav");
  assert.equal(l.interrupt, "i.wav");
  assert.equal(l.repeat, 3);
  assert.deepEqual(l.extra.stt, ["--vad-mode=3", "--vad-onset=60"]);
  assert.equal(l.bargeIn, false);
  assert.equal(l.names.chat, "llm");
  assert.equal(parseAgentArgs(["--help"]), undefined);
});

test("parseAgentArgs: a bad command line names the option and the value", () => {
  const bad = (args: string[], message: RegExp): void =>
    assert.throws(
      () => parseAgentArgs(args),
      (err: unknown) => {
        assert.ok(err instanceof UsageError);
        assert.match(err.message, message);
        return true;
      },
    );
  bad(["--repeat", "2"], /--repeat needs --loopback/);
  bad(["--max-tokens", "zero"], /--max-tokens must be an integer of at least 1, got 'zero'/);
  bad(["--end-silence", "5"], /--end-silence .* got '5'/);
  bad(["--stt", "a/b"], /--stt must be a tool name/);
  bad(["--loopback", "q.wav", "--dir", "/tmp"], /leave out --dir/);
  bad(["--frobnicate"], /frobnicate/);
});

test("printable: a model's control bytes never reach the terminal", () => {
  assert.equal(printable("a\u0000b\u001b[2Jc\nd\u007f"), "ab[2Jc d");
});

test("turnJson: the results of a turn, barge-in included", () => {
  const report: TurnReport = {
    turn: 2,
    transcript: "hi",
    reply: "Hello. There.",
    spoken: ["Hello."],
    interrupted: true,
    marks: { speechEnd: 0, transcript: 400, speechEndFrom: "stt", audioOutFrom: "frame" },
    barge_in: { at: 5000, chat_running: true, chat_cancelled: 1, late_stops: 0 },
    endedAt: 6000,
  };
  const json = turnJson(report, { recorded_ms: 120 });
  assert.deepEqual(json["barge_in"], {
    chat_running: true,
    chat_cancelled: 1,
    late_stops: 0,
    budget_ms: 150,
  });
  assert.deepEqual(json["latency_ms"], { transcript_ms: 400 });
  assert.equal(json["recorded_ms"], 120);
  assert.equal(json["end_of_speech_from"], "stt");
  assert.equal((JSON.parse(JSON.stringify(json)) as { turn: number }).turn, 2);
});
