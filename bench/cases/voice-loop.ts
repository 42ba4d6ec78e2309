/**
 * The voice agent's loop, end to end: the agent's loopback (examples/voice-agent) with a spoken
 * question (espeak-ng) on a private PulseAudio server, pocketsphinx with the question as its
 * keyword list, the generated chat test model and espeak-ng, every hop over pipes. Reports the
 * time from the end of speech to the first audio out, and where it went. Heavy (each round
 * starts the three servers and a sound server), so `--quick` leaves it out.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { writeTestModel } from "named-pipe-tools-chat";
import { missingPrograms } from "../../examples/voice-agent/programs.js";
import { PULSE_PROGRAMS } from "../../examples/voice-agent/pulse.js";
import { VOICE_AGENT_MAIN } from "../paths.js";
import { median, summarize } from "../stats.js";
import type { BenchCase, Result } from "./types.js";

const run = promisify(execFile);
const QUESTION = "what is a named pipe";
/** Programs the case needs, with their Debian packages. */
const PROGRAMS: Record<string, string> = {
  ...PULSE_PROGRAMS,
  "espeak-ng": "espeak-ng",
  pocketsphinx_continuous: "pocketsphinx pocketsphinx-en-us",
};
let files: { question: string; model: string } | undefined;

/** The agent's command line for one round of `turns` questions. */
function voiceLoopArgs(question: string, model: string, turns: number): string[] {
  return [
    VOICE_AGENT_MAIN,
    "--loopback",
    question,
    "--repeat",
    String(turns),
    "--json",
    "--model",
    model,
    "--keywords",
    QUESTION,
    "--max-tokens",
    "40",
  ];
}

/** The medians of each latency part over the turns, and the total as a latency result. */
function voiceResult(turns: readonly { latency_ms: Record<string, number> }[]): Result {
  const totals = turns.map((t) => t.latency_ms["total_ms"]).filter((v) => v !== undefined);
  if (totals.length === 0) throw new Error("no turn measured the end of speech -> first audio");
  const { p50, p99, mean } = summarize(totals.map((ms) => ms * 1000));
  const parts: Record<string, number> = {};
  for (const key of Object.keys(turns[0]!.latency_ms)) {
    parts[key] = median(turns.map((t) => t.latency_ms[key] ?? Number.NaN).filter(Number.isFinite));
  }
  return { p50_us: p50, p99_us: p99, mean_us: mean, parts_ms: parts };
}

/** The voice loop case. */
export const voiceLoopCase: BenchCase = {
  name: "voice-loop",
  group: "voice",
  ours: true,
  what: "voice agent loopback: end of speech -> first audio out (stt, chat, tts over pipes)",
  heavy: true,
  async prepare(workDir) {
    const missing = missingPrograms(PROGRAMS);
    if (missing !== undefined) return missing;
    const question = path.join(workDir, "question.wav");
    const model = path.join(workDir, "tiny.gguf");
    await run("espeak-ng", ["-w", question, QUESTION]);
    await writeTestModel(model);
    files = { question, model };
    return undefined;
  },
  async round(ctx) {
    if (files === undefined) throw new Error("not prepared");
    const { stdout } = await run(
      process.execPath,
      voiceLoopArgs(files.question, files.model, ctx.quick ? 1 : 3),
      { timeout: 300_000 },
    );
    const turns = stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { latency_ms: Record<string, number> });
    return voiceResult(turns);
  },
};
