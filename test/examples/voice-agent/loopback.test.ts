/**
 * The voice agent's loopback, end to end: a spoken question (espeak-ng) played into a virtual
 * microphone of a private PulseAudio server, real stt, chat and tts servers started by the agent
 * over pipes, and the speaker's output recorded. Then a barge-in: a second utterance while the
 * reply plays must silence the speaker and cancel the chat request on the server.
 *
 * Timing bounds here are loose (a loaded 2-core machine); the measured numbers are reported as
 * test diagnostics.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { TestContext } from "node:test";
import { test } from "node:test";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { writeTestModel } from "named-pipe-tools-chat";
import { isAlive, needs, spawnNode, tempDir } from "named-pipe-tools-testkit";

const run = promisify(execFile);
const MAIN = fileURLToPath(new URL("../../../examples/voice-agent/main.js", import.meta.url));
const SKIP = needs(
  "pulseaudio",
  "pactl",
  "pacat",
  "parec",
  "paplay",
  "espeak-ng",
  "pocketsphinx_continuous",
);
const QUESTION = "what is a named pipe";
const INTERRUPTION = "wait a moment";
const KEYWORDS = `${QUESTION},${INTERRUPTION}`;
/** Generous bounds for a loaded machine; the budget itself is 150 ms (reported, not asserted). */
const LOOSE_STOP_MS = 1000;

interface TurnJson {
  turn: number;
  transcript: string;
  reply: string;
  spoken: string[];
  interrupted: boolean;
  error?: string;
  latency_ms: Record<string, number>;
  end_of_speech_from: string;
  audio_out_from: string;
  recorded_ms: number;
  barge_in?: Record<string, number | boolean>;
}

async function speak(dir: string, name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await run("espeak-ng", ["-w", file, text]);
  return file;
}

/** Runs the agent to its end; returns its turns and the pids of the servers it started. */
async function runAgent(
  t: TestContext,
  args: string[],
): Promise<{ turns: TurnJson[]; pids: number[]; stderr: string }> {
  const proc = spawnNode(t, MAIN, ["--json", "--keywords", KEYWORDS, ...args]);
  const code = await proc.exited;
  const stderr = proc.stderr();
  assert.equal(code, 0, `the agent failed:\n${stderr}`);
  const turns = proc
    .stdout()
    .trim()
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as TurnJson);
  const pids = [...stderr.matchAll(/server '\w+' \(pid (\d+),/g)].map((m) => Number(m[1]));
  for (const line of stderr.split("\n").filter((l) => /latency|barge-in/.test(l))) {
    t.diagnostic(line);
  }
  return { turns, pids, stderr };
}

/** Whether `pid` has ended (an exited process its new parent has not reaped yet has). */
function ended(pid: number): boolean {
  if (!isAlive(pid)) return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return true;
  }
}

function assertCleanedUp(pids: number[]): void {
  assert.equal(pids.length, 3, "the agent started stt, chat and tts");
  for (const pid of pids) assert.ok(ended(pid), `server pid ${pid} was stopped`);
}

test(
  "loopback: a spoken question is transcribed, answered and spoken out of the speaker",
  { skip: SKIP, timeout: 180_000 },
  async (t) => {
    const dir = await tempDir(t, "voice-agent-");
    const question = await speak(dir, "question.wav", QUESTION);
    const model = path.join(dir, "tiny.gguf");
    await writeTestModel(model);
    const record = path.join(dir, "speaker.wav");
    const { turns, pids } = await runAgent(t, [
      "--loopback",
      question,
      "--model",
      model,
      "--max-tokens",
      "40",
      "--record",
      record,
    ]);
    assert.equal(turns.length, 1);
    const [turn] = turns as [TurnJson];
    assert.equal(turn.error, undefined);
    assert.equal(turn.transcript, QUESTION);
    assert.ok(turn.reply.trim().length > 0, "the model replied");
    assert.ok(turn.spoken.length > 0, "the tts spoke the reply");
    assert.equal(turn.interrupted, false);
    assert.equal(turn.end_of_speech_from, "recording");
    assert.equal(turn.audio_out_from, "recording");
    for (const part of [
      "transcript_ms",
      "vad_offset_ms",
      "decode_ms",
      "first_token_ms",
      "first_sentence_ms",
      "synthesis_ms",
      "playback_ms",
      "total_ms",
    ]) {
      assert.equal(typeof turn.latency_ms[part], "number", part);
    }
    const l = turn.latency_ms;
    assert.ok(l["total_ms"]! > l["vad_offset_ms"]!, "the total includes the end-of-turn silence");
    assert.ok(turn.recorded_ms >= 300, `recorded ${turn.recorded_ms} ms of speech`);
    // The recording holds the speech the speaker played.
    const wav = await readFile(record);
    const pcm = wav.subarray(44);
    let loud = 0;
    for (let i = 0; i + 1 < pcm.length; i += 2) if (Math.abs(pcm.readInt16LE(i)) > 2000) loud++;
    assert.ok(loud > 22_050 * 0.05, `the recording holds speech (${loud} loud samples)`);
    assertCleanedUp(pids);
  },
);

/** A scripted OpenAI-compatible upstream streaming its reply at a local model's pace. */
function pacedUpstream(t: TestContext, tokenMs: number) {
  const requests: { question: string; finished: boolean; closedEarly: boolean }[] = [];
  const replies: Record<string, string> = {
    [QUESTION]: Array.from(
      { length: 12 },
      (_, i) => `Sentence ${i + 1} says that a named pipe is a file that two programs share.`,
    ).join(" "),
    [INTERRUPTION]: "All right, I am waiting.",
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      const { messages } = JSON.parse(body) as { messages: { content: string }[] };
      const question = messages.at(-1)?.content ?? "";
      const entry = { question, finished: false, closedEarly: false };
      requests.push(entry);
      const words = (replies[question] ?? "Hello.").split(/(?<= )/);
      res.writeHead(200, { "content-type": "text/event-stream" });
      const chunk = (payload: unknown): boolean =>
        res.write(`data: ${JSON.stringify(payload)}\n\n`);
      let i = 0;
      const timer = setInterval(() => {
        const word = words[i++];
        if (word !== undefined) {
          chunk({ choices: [{ index: 0, delta: { content: word }, finish_reason: null }] });
          return;
        }
        clearInterval(timer);
        chunk({ choices: [{ index: 0, delta: {}, finish_reason: "stop" }] });
        res.end("data: [DONE]\n\n");
        entry.finished = true;
      }, tokenMs);
      res.on("close", () => {
        clearInterval(timer);
        if (!entry.finished) entry.closedEarly = true;
      });
    });
  });
  t.after(() => server.close());
  return {
    requests,
    url: new Promise<string>((resolve) =>
      server.listen(0, "127.0.0.1", () =>
        resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`),
      ),
    ),
  };
}

test(
  "loopback barge-in: speaking over the reply silences the speaker and cancels the chat request on the server",
  { skip: SKIP, timeout: 180_000 },
  async (t) => {
    const dir = await tempDir(t, "voice-agent-");
    const question = await speak(dir, "question.wav", QUESTION);
    const interruption = await speak(dir, "interruption.wav", INTERRUPTION);
    // 25 tokens/s: the reply is still being generated when the user speaks over it.
    const upstream = pacedUpstream(t, 40);
    const { turns, pids } = await runAgent(t, [
      "--loopback",
      question,
      "--interrupt",
      interruption,
      "--interrupt-after",
      "200",
      "--base-url",
      await upstream.url,
      "--model",
      "scripted",
    ]);
    assert.equal(turns.length, 2, "the question, then the interruption");
    const [first, second] = turns as [TurnJson, TurnJson];
    assert.equal(first.transcript, QUESTION);
    assert.equal(first.interrupted, true);
    const b = first.barge_in!;
    assert.equal(b["chat_running"], true, "the reply was still being generated");
    assert.equal(b["chat_cancelled"], 1, "the chat server cancelled the request");
    assert.ok(Number(b["tts_cancelled"]) >= 1, "the tts server cut its speech");
    assert.equal(typeof b["playback_stopped_ms"], "number");
    assert.ok(
      Number(b["playback_stopped_ms"]) <= LOOSE_STOP_MS,
      `the speaker went silent ${b["playback_stopped_ms"]} ms after the speech start`,
    );
    assert.ok(
      first.spoken.length >= 1 && first.spoken.length < 12,
      `only part of the reply was spoken (${first.spoken.length} sentences)`,
    );
    assert.ok(first.recorded_ms > 0, "some of the reply was heard before the interruption");
    // The upstream saw the request end before its reply was complete: cancelled on the server.
    const asked = upstream.requests.find((r) => r.question === QUESTION);
    assert.equal(asked?.closedEarly, true, "the chat server aborted its upstream request");
    assert.equal(second.transcript, INTERRUPTION);
    assert.equal(second.interrupted, false);
    assert.equal(second.reply.trim(), "All right, I am waiting.");
    assert.ok(second.recorded_ms > 0, "the second reply was heard");
    t.diagnostic(
      `barge-in: speaker silent after ${b["playback_stopped_ms"]} ms, tts stop_speaking answered in ${b["tts_stopped_ms"]} ms, chat cancel answered in ${b["chat_cancelled_ms"]} ms (budget 150 ms)`,
    );
    assertCleanedUp(pids);
  },
);
