/**
 * What the agent prints for each turn: human lines (the transcript, the reply, the latency line,
 * the barge-in), and with --json one JSON line of results.
 */
import type { TurnReport } from "./agent.js";
import type { LatencyBreakdown } from "./latency.js";
import { breakdown, latencyLine } from "./latency.js";

/** The barge-in budget: speech stopped this soon after the STT's speech_start, ms. */
export const BARGE_IN_BUDGET_MS = 150;

/** Measurements only the loopback has (from its recordings). */
export interface LoopbackFindings {
  /** Voiced audio the speaker played for this turn, ms. */
  recorded_ms: number;
}

/** The JSON results of one turn. */
export function turnJson(report: TurnReport, findings?: LoopbackFindings): Record<string, unknown> {
  const { marks, barge_in } = report;
  const latency: LatencyBreakdown = breakdown(marks);
  const out: Record<string, unknown> = {
    turn: report.turn,
    transcript: report.transcript,
    reply: report.reply,
    spoken: report.spoken,
    interrupted: report.interrupted,
    latency_ms: latency,
    end_of_speech_from: marks.speechEndFrom ?? null,
    audio_out_from: marks.audioOutFrom ?? null,
  };
  if (report.finish_reason !== undefined) out["finish_reason"] = report.finish_reason;
  if (report.error !== undefined) out["error"] = report.error;
  if (report.usage !== undefined) out["usage"] = report.usage;
  if (barge_in !== undefined) {
    const { at: _at, ...rest } = barge_in;
    out["barge_in"] = { ...rest, budget_ms: BARGE_IN_BUDGET_MS };
  }
  if (findings !== undefined) Object.assign(out, findings);
  return out;
}

/** The human lines of one turn (after its reply has streamed). */
export function turnLines(report: TurnReport, findings?: LoopbackFindings): string[] {
  const tag = `[turn ${report.turn}]`;
  const lines = [`${tag} latency: ${latencyLine(breakdown(report.marks))}`];
  if (report.error !== undefined) lines.push(`${tag} failed: ${report.error}`);
  const b = report.barge_in;
  if (b !== undefined) {
    const stopped =
      b.playback_stopped_ms !== undefined
        ? `the speaker went silent ${Math.round(b.playback_stopped_ms)} ms`
        : `tts stop_speaking answered ${b.tts_stopped_ms ?? "?"} ms`;
    const chat = b.chat_running
      ? `the chat request was cancelled on the server in ${b.chat_cancelled_ms ?? "?"} ms (${b.chat_cancelled ?? "?"} cancelled)`
      : "the chat reply had already been generated";
    const late =
      (b.playback_stopped_ms ?? b.tts_stopped_ms ?? 0) > BARGE_IN_BUDGET_MS
        ? ` - over the ${BARGE_IN_BUDGET_MS} ms budget`
        : "";
    lines.push(`${tag} barge-in: ${stopped} after the speech start${late}; ${chat}`);
  }
  if (findings !== undefined) {
    lines.push(`${tag} recorded ${findings.recorded_ms} ms of speech from the speaker`);
  }
  return lines;
}
