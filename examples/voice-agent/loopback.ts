/**
 * The loopback: the same loop, headless. A private PulseAudio server has two null sinks: the
 * question WAV is played into `va_mic` (over a faint noise floor, as a real microphone has),
 * whose monitor the STT server captures as its microphone; the TTS server plays into `va_speaker`, whose monitor is recorded. Both monitors
 * are recorded too, so the end of speech and the first audio out are measured on the audio
 * itself. The servers are started for the run (in a fresh private pipe directory) and stopped
 * after it.
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
import type { PrivatePulse } from "./pulse.js";
import { missingPrograms } from "./programs.js";
import { PULSE_PROGRAMS, startPrivatePulse } from "./pulse.js";
import { Recorder } from "./recorder.js";
import type { RoomNoise } from "./room-noise.js";
import { startRoomNoise } from "./room-noise.js";
import type { LoopbackFindings } from "./report.js";
import { turnJson, turnLines } from "./report.js";
import type { Session } from "./session.js";
import { agentSettings, openSession } from "./session.js";
import type { Ui } from "./ui.js";

const MIC = "va_mic";
const SPEAKER = "va_speaker";
const MIC_RATE = 16_000;
const SPEAKER_RATE = 22_050;
/** Silence on the speaker before the next question is asked, ms. */
const QUIET_MS = 300;

/** Throws naming the programs the loopback lacks and the packages that bring them. */
function checkPrograms(): void {
  const missing = missingPrograms(PULSE_PROGRAMS);
  if (missing !== undefined) throw new Error(`the loopback cannot run: ${missing}`);
}

/** Rejects when `signal` aborts. */
function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Error("interrupted"));
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(new Error("interrupted"));
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/** Resolves once `source` has `count` recording streams (ours and the STT server's). */
async function sttCapturing(
  pulse: PrivatePulse,
  source: string,
  count: number,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await pulse.captures(source)) < count) {
    if (Date.now() > deadline) {
      throw new Error(`the stt server did not start capturing ${source} within ${timeoutMs} ms`);
    }
    await delay(50);
  }
}

/** The turn's moments measured on the recordings, and what the speaker played for it. */
async function measure(
  report: TurnReport,
  next: TurnReport | undefined,
  mic: Recorder,
  speaker: Recorder,
): Promise<LoopbackFindings> {
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

/** Plays the question(s), waits for the turns, prints the results; resolves with the exit code. */
export async function runLoopback(
  opts: AgentOptions,
  ui: Ui,
  signal: AbortSignal,
): Promise<number> {
  checkPrograms();
  const question = opts.loopback!;
  await access(question);
  if (opts.interrupt !== undefined) await access(opts.interrupt);
  const work = await mkdtemp(path.join(tmpdir(), "voice-agent-"));
  let pulse: PrivatePulse | undefined;
  let noise: RoomNoise | undefined;
  const recorders: Recorder[] = [];
  let session: Session | undefined;
  let agent: VoiceAgent | undefined;
  try {
    const runtime = path.join(work, "pulse");
    const dir = path.join(work, "pipes");
    await mkdir(runtime, { mode: 0o700 });
    await mkdir(dir, { mode: 0o700 });
    pulse = await startPrivatePulse(
      runtime,
      [
        { name: MIC, rate: MIC_RATE },
        { name: SPEAKER, rate: SPEAKER_RATE },
      ],
      { sink: SPEAKER, source: `${MIC}.monitor` },
    );
    const env = { ...process.env, ...pulse.env };
    noise = startRoomNoise(MIC, MIC_RATE, env);
    const mic = await Recorder.start(`${MIC}.monitor`, MIC_RATE, env);
    recorders.push(mic);
    const speaker = await Recorder.start(`${SPEAKER}.monitor`, SPEAKER_RATE, env);
    recorders.push(speaker);
    // Not abortable: the servers it starts must be known to be stopped (it has its own timeouts).
    session = await openSession(
      { ...opts, dir },
      { dir, start: true, env, log: ui.info },
      {
        stt: ["--input", "mic", "--capture", "parec", "--device", `${MIC}.monitor`],
        tts: ["--play", "pacat", "--device", SPEAKER],
      },
    );
    if (signal.aborted) throw new Error("interrupted");

    // The STT's own capture must be running before anyone speaks, or the question is clipped.
    await abortable(sttCapturing(pulse, `${MIC}.monitor`, 2, opts.turnTimeoutMs), signal);

    const reports: TurnReport[] = [];
    const heard: string[] = [];
    let changed: () => void = () => undefined;
    agent = new VoiceAgent(session.clients, session.speeches, agentSettings(opts, session), {
      log: ui.info,
      onUtterance: (text) => {
        heard.push(text);
        if (text !== "") ui.info(`you: ${text}`);
        changed();
      },
      onTurn: (report) => {
        reports.push(report);
        ui.info(`agent: ${report.reply.trim()}${report.interrupted ? " [interrupted]" : ""}`);
        changed();
      },
    });
    agent.start();
    /** Resolves once `turns` turns have finished; rejects when an utterance was not understood. */
    const turnsDone = (turns: number, file: string): Promise<void> =>
      abortable(
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error(`no reply to ${file} within ${opts.turnTimeoutMs} ms`)),
            opts.turnTimeoutMs,
          );
          changed = () => {
            if (heard.includes("")) {
              reject(new Error(`the stt server recognised nothing in ${file}`));
            } else if (reports.length < turns) {
              return;
            } else resolve();
            clearTimeout(timer);
          };
          changed();
        }),
        signal,
      );

    let expected = 0;
    for (let i = 0; i < opts.repeat; i++) {
      const asked = now();
      await abortable(pulse.play(MIC, question), signal);
      expected++;
      if (i === 0 && opts.interrupt !== undefined) {
        // Speak over the reply once it is heard.
        await abortable(
          speaker.waitFor(
            () => speaker.timeline.firstVoicedAfter(asked) !== undefined,
            opts.turnTimeoutMs,
            `reply to ${question} from the speaker`,
          ),
          signal,
        );
        await delay(opts.interruptAfterMs, undefined, { signal });
        await abortable(pulse.play(MIC, opts.interrupt), signal);
        expected++;
        await turnsDone(expected, opts.interrupt);
      } else {
        await turnsDone(expected, question);
      }
      await abortable(
        speaker.waitFor(
          () =>
            speaker.timeline.end - (speaker.timeline.lastVoicedBefore(Infinity) ?? 0) >= QUIET_MS,
          opts.turnTimeoutMs,
          "silence from the speaker",
        ),
        signal,
      );
    }

    for (const [k, report] of reports.entries()) {
      const findings = await measure(report, reports[k + 1], mic, speaker);
      for (const line of turnLines(report, findings)) ui.info(line);
      ui.json(turnJson(report, findings));
    }
    if (opts.record !== undefined) {
      const pcm = speaker.pcm();
      await writeFile(opts.record, Buffer.concat([wavHeader(SPEAKER_RATE, 1, pcm.length), pcm]));
      ui.info(`wrote ${opts.record}`);
    }
    return reports.some((r) => r.error !== undefined) ? 1 : 0;
  } finally {
    agent?.close();
    await agent?.idle();
    await session?.close();
    for (const rec of recorders) await rec.stop();
    await noise?.stop();
    await pulse?.stop();
    await rm(work, { recursive: true, force: true });
  }
}
