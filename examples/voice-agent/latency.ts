/**
 * A turn's timeline, from the end of the user's speech to the first audio out, and where the
 * time between them went.
 */
import { performance } from "node:perf_hooks";

/** Wall-clock time in epoch milliseconds, with sub-millisecond resolution. */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

/** The moments of one turn, epoch ms, as this process saw them (or measured them). */
export interface TurnMarks {
  /** The end of the user's speech. */
  speechEnd?: number;
  /** Where `speechEnd` comes from: the recorded microphone, or the STT's own delay report. */
  speechEndFrom?: "recording" | "stt";
  /** The final transcript arrived (the STT's `speech_end`). */
  transcript?: number;
  /** The STT's report: from the end of speech to its final transcript, ms. */
  sttEndDelayMs?: number;
  /** The STT's report: the decode after the VAD decided the utterance ended, ms. */
  sttDecodeMs?: number;
  /** The chat request was sent. */
  request?: number;
  /** The first token of the reply arrived. */
  firstToken?: number;
  /** The TTS started speaking the reply's first sentence (its `speech_start`). */
  firstSentence?: number;
  /** The reply's first audio frame arrived on the TTS data channel. */
  firstFrame?: number;
  /** The first audio came out of the speaker. */
  audioOut?: number;
  /** Where `audioOut` comes from: the recorded speaker, or the first frame (what the player got). */
  audioOutFrom?: "recording" | "frame";
}

/** Where the time went, in ms (absent where a moment is missing). */
export interface LatencyBreakdown {
  /** End of speech -> final transcript. */
  transcript_ms?: number;
  /** ... of which the silence the VAD waited for before ending the utterance. */
  vad_offset_ms?: number;
  /** ... of which the decode after that. */
  decode_ms?: number;
  /**
   * ... of which the rest: where the VAD puts the end of speech (its 30 ms frames, and a faint
   * tail it still counts as speech) against the audio's last loud sample, the audio's trip to
   * the STT, and the event's trip to the agent.
   */
  rest_ms?: number;
  /** Final transcript -> first token (the chat request, prompt evaluation, the first token). */
  first_token_ms?: number;
  /** First token -> first sentence (tokens until a sentence is complete, the tts hop). */
  first_sentence_ms?: number;
  /** First sentence -> first audio frame (synthesis). */
  synthesis_ms?: number;
  /** First audio frame -> first audio out (the player and the sound server). */
  playback_ms?: number;
  /** End of speech -> first audio out. */
  total_ms?: number;
}

function span(from: number | undefined, to: number | undefined): number | undefined {
  return from === undefined || to === undefined ? undefined : round(to - from);
}

/** Rounds to 0.1 ms. */
export function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** Splits a turn's timeline into its parts. */
export function breakdown(m: TurnMarks): LatencyBreakdown {
  const out: LatencyBreakdown = {
    transcript_ms: span(m.speechEnd, m.transcript),
    first_token_ms: span(m.transcript, m.firstToken),
    first_sentence_ms: span(m.firstToken, m.firstSentence),
    synthesis_ms: span(m.firstSentence, m.firstFrame),
    playback_ms: span(m.firstFrame, m.audioOut),
    total_ms: span(m.speechEnd, m.audioOut),
  };
  if (m.sttEndDelayMs !== undefined && m.sttDecodeMs !== undefined) {
    out.vad_offset_ms = round(m.sttEndDelayMs - m.sttDecodeMs);
    out.decode_ms = round(m.sttDecodeMs);
    if (out.transcript_ms !== undefined) {
      out.rest_ms = round(out.transcript_ms - m.sttEndDelayMs);
    }
  }
  for (const key of Object.keys(out) as (keyof LatencyBreakdown)[]) {
    if (out[key] === undefined) delete out[key];
  }
  return out;
}

const ms = (v: number | undefined): string => (v === undefined ? "?" : `${Math.round(v)} ms`);

/**
 * The latency line a turn prints: end of speech -> final transcript -> first token -> first
 * sentence -> first audio out, and the total.
 */
export function latencyLine(b: LatencyBreakdown): string {
  const parts =
    b.vad_offset_ms === undefined
      ? ""
      : ` (silence ${Math.round(b.vad_offset_ms)} + decode ${Math.round(b.decode_ms ?? 0)}${
          b.rest_ms === undefined ? "" : ` + rest ${Math.round(b.rest_ms)}`
        })`;
  return (
    `end of speech -> transcript ${ms(b.transcript_ms)}${parts}` +
    ` -> first token ${ms(b.first_token_ms)}` +
    ` -> first sentence ${ms(b.first_sentence_ms)}` +
    ` -> first audio ${ms(b.synthesis_ms)} (synthesis) + ${ms(b.playback_ms)} (playback)` +
    ` = ${ms(b.total_ms)}`
  );
}
