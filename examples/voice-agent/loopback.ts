/**
 * The loopback: the same loop, headless, on a private sound rig (rig.ts). The question WAV is
 * spoken into the virtual microphone (optionally again and again, and optionally interrupted by
 * a second WAV while the reply plays); the results are measured on the recordings. The servers
 * are started for the run, in a fresh private pipe directory, and stopped after it.
 */
import { access, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { wavHeader } from "named-pipe-tools-tts";
import type { TurnReport } from "./agent.js";
import { VoiceAgent } from "./agent.js";
import { now, round } from "./latency.js";
import type { AgentOptions } from "./options.js";
import { missingPrograms } from "./programs.js";
import { PULSE_PROGRAMS } from "./pulse.js";
import type { LoopbackFindings } from "./report.js";
import { turnJson, turnLines } from "./report.js";
import type { SoundRig } from "./rig.js";
import { RIG_SERVER_ARGS, SPEAKER_RATE, startRig } from "./rig.js";
import type { Session } from "./session.js";
import { agentSettings, openSession } from "./session.js";
import type { Ui } from "./ui.js";

/** Silence on the speaker before the next question is asked, ms. */
const QUIET_MS = 300;

/** Rejects when `signal` aborts. */
function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Error("interrupted"));
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(new Error("interrupted"));
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/** The agent's turns as they finish, and waiting for them. */
class Turns {
  readonly reports: TurnReport[] = [];
  readonly #heard: string[] = [];
  #changed: () => void = () => undefined;

  /** An utterance the STT ended ("" when it recognised nothing). */
  heard(text: string): void {
    this.#heard.push(text);
    this.#changed();
  }

  finished(report: TurnReport): void {
    this.reports.push(report);
    this.#changed();
  }

  /** Resolves once `count` turns have finished; rejects when an utterance was not understood. */
  until(count: number, file: string, timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no reply to ${file} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.#changed = () => {
        if (this.#heard.includes("")) {
          reject(new Error(`the stt server recognised nothing in ${file}`));
        } else if (this.reports.length < count) {
          return;
        } else resolve();
        clearTimeout(timer);
      };
      this.#changed();
    });
  }
}

/** Speaks the question(s) into the rig and waits for every turn. */
async function converse(
  rig: SoundRig,
  turns: Turns,
  opts: AgentOptions,
  signal: AbortSignal,
): Promise<void> {
  const question = opts.loopback!;
  const timeout = opts.turnTimeoutMs;
  const { speaker } = rig;
  let expected = 0;
  for (let i = 0; i < opts.repeat; i++) {
    const asked = now();
    await abortable(rig.say(question), signal);
    expected++;
    if (i === 0 && opts.interrupt !== undefined) {
      // Speak over the reply once it is heard.
      const heard = (): boolean => speaker.timeline.firstVoicedAfter(asked) !== undefined;
      await abortable(speaker.waitFor(heard, timeout, `reply to ${question}`), signal);
      await delay(opts.interruptAfterMs, undefined, { signal });
      await abortable(rig.say(opts.interrupt), signal);
      expected++;
      await abortable(turns.until(expected, opts.interrupt, timeout), signal);
    } else {
      await abortable(turns.until(expected, question, timeout), signal);
    }
    const quiet = (): boolean =>
      speaker.timeline.end - (speaker.timeline.lastVoicedBefore(Infinity) ?? 0) >= QUIET_MS;
    await abortable(speaker.waitFor(quiet, timeout, "silence from the speaker"), signal);
  }
}

/** The turn's moments measured on the recordings, and what the speaker played for it. */
async function measure(
  report: TurnReport,
  next: TurnReport | undefined,
  rig: SoundRig,
): Promise<LoopbackFindings> {
  const { mic, speaker } = rig;
  const m = report.marks;
  if (m.transcript !== undefined) {
    await mic.reach(m.transcript);
    const end = mic.timeline.lastVoicedBefore(m.transcript);
    if (end !== undefined) {
      m.speechEnd = end;
      m.speechEndFrom = "recording";
    }
  }
  const from = m.request ?? m.transcript ?? now();
  const until = next?.marks.request ?? report.endedAt + QUIET_MS;
  await speaker.reach(until);
  const out = speaker.timeline.firstVoicedAfter(from);
  if (out !== undefined && out < until) {
    m.audioOut = out;
    m.audioOutFrom = "recording";
  }
  const b = report.barge_in;
  if (b !== undefined) {
    const last = speaker.timeline.lastVoicedBefore(until);
    b.playback_stopped_ms = last === undefined ? 0 : round(Math.max(0, last - b.at));
  }
  return { recorded_ms: speaker.timeline.voicedMs(from, until) };
}

/** Runs the loopback and prints its results; resolves with the exit code. */
export async function runLoopback(
  opts: AgentOptions,
  ui: Ui,
  signal: AbortSignal,
): Promise<number> {
  const missing = missingPrograms(PULSE_PROGRAMS);
  if (missing !== undefined) throw new Error(`the loopback cannot run: ${missing}`);
  await access(opts.loopback!);
  if (opts.interrupt !== undefined) await access(opts.interrupt);
  const work = await mkdtemp(path.join(tmpdir(), "voice-agent-"));
  let rig: SoundRig | undefined;
  let session: Session | undefined;
  let agent: VoiceAgent | undefined;
  try {
    const runtime = path.join(work, "pulse");
    const dir = path.join(work, "pipes");
    await mkdir(runtime, { mode: 0o700 });
    await mkdir(dir, { mode: 0o700 });
    rig = await startRig(runtime);
    // Not abortable: the servers it starts must be known to be stopped (it has its own timeouts).
    session = await openSession(
      { ...opts, dir },
      { dir, start: true, env: rig.env, log: ui.info },
      RIG_SERVER_ARGS,
    );
    if (signal.aborted) throw new Error("interrupted");
    // The STT's capture must run before anyone speaks, or the question is clipped.
    await abortable(rig.listened(2, opts.turnTimeoutMs), signal);

    const turns = new Turns();
    agent = new VoiceAgent(session.clients, session.speeches, agentSettings(opts, session), {
      log: ui.info,
      onUtterance: (text) => {
        if (text !== "") ui.info(`you: ${text}`);
        turns.heard(text);
      },
      onTurn: (report) => {
        ui.info(`agent: ${report.reply.trim()}${report.interrupted ? " [interrupted]" : ""}`);
        turns.finished(report);
      },
    });
    agent.start();
    await converse(rig, turns, opts, signal);

    for (const [k, report] of turns.reports.entries()) {
      const findings = await measure(report, turns.reports[k + 1], rig);
      for (const line of turnLines(report, findings)) ui.info(line);
      ui.json(turnJson(report, findings));
    }
    if (opts.record !== undefined) {
      const pcm = rig.speaker.pcm();
      await writeFile(opts.record, Buffer.concat([wavHeader(SPEAKER_RATE, 1, pcm.length), pcm]));
      ui.info(`wrote ${opts.record}`);
    }
    return turns.reports.some((r) => r.error !== undefined) ? 1 : 0;
  } finally {
    agent?.close();
    await agent?.idle();
    await session?.close();
    await rig?.stop();
    await rm(work, { recursive: true, force: true });
  }
}
