/**
 * The loopback's sound rig: a private PulseAudio server with two null sinks. What is played into
 * `va_mic` (over a faint noise floor, as a real microphone has) is what the STT server hears on
 * `va_mic.monitor`; the TTS server plays into `va_speaker`. Both monitors are recorded, so the
 * end of speech and the first audio out are measured on the audio itself.
 */
import { setTimeout as delay } from "node:timers/promises";
import type { PrivatePulse } from "./pulse.js";
import { startPrivatePulse } from "./pulse.js";
import { Recorder } from "./recorder.js";
import type { RoomNoise } from "./room-noise.js";
import { startRoomNoise } from "./room-noise.js";
import type { ExtraArgs } from "./session.js";

const MIC = "va_mic";
const SPEAKER = "va_speaker";
const MIC_RATE = 16_000;
/** The speaker's rate: the TTS server's (espeak-ng's), so nothing is resampled. */
export const SPEAKER_RATE = 22_050;

/** Options for the servers the loopback starts: the STT hears the virtual microphone, the TTS plays into the speaker. */
export const RIG_SERVER_ARGS: ExtraArgs = {
  stt: ["--input", "mic", "--capture", "parec", "--device", `${MIC}.monitor`],
  tts: ["--play", "pacat", "--device", SPEAKER],
};

/** A running rig. */
export interface SoundRig {
  /** What a process needs in its environment to use the rig's sound server. */
  env: NodeJS.ProcessEnv;
  /** The microphone's recording. */
  mic: Recorder;
  /** The speaker's recording. */
  speaker: Recorder;
  /** Speaks a WAV file into the microphone; resolves once it has been played. */
  say(file: string): Promise<void>;
  /** Resolves once the microphone has `count` listeners (our recorder and the STT server). */
  listened(count: number, timeoutMs: number): Promise<void>;
  /** Stops everything it started. */
  stop(): Promise<void>;
}

/** Starts the rig with its runtime in `dir` (an existing private directory). */
export async function startRig(dir: string): Promise<SoundRig> {
  const parts: { pulse?: PrivatePulse; noise?: RoomNoise; recorders: Recorder[] } = {
    recorders: [],
  };
  const stop = async (): Promise<void> => {
    for (const rec of parts.recorders) await rec.stop();
    await parts.noise?.stop();
    await parts.pulse?.stop();
  };
  try {
    const pulse = await startPrivatePulse(
      dir,
      [
        { name: MIC, rate: MIC_RATE },
        { name: SPEAKER, rate: SPEAKER_RATE },
      ],
      { sink: SPEAKER, source: `${MIC}.monitor` },
    );
    parts.pulse = pulse;
    const env = { ...process.env, ...pulse.env };
    parts.noise = startRoomNoise(MIC, MIC_RATE, env);
    const mic = await Recorder.start(`${MIC}.monitor`, MIC_RATE, env);
    parts.recorders.push(mic);
    const speaker = await Recorder.start(`${SPEAKER}.monitor`, SPEAKER_RATE, env);
    parts.recorders.push(speaker);
    return {
      env,
      mic,
      speaker,
      say: (file) => pulse.play(MIC, file),
      listened: async (count, timeoutMs) => {
        const deadline = Date.now() + timeoutMs;
        while ((await pulse.captures(`${MIC}.monitor`)) < count) {
          if (Date.now() > deadline) {
            throw new Error(`nothing started listening to ${MIC}.monitor within ${timeoutMs} ms`);
          }
          await delay(50);
        }
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
