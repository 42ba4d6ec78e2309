/**
 * A faint noise floor for the loopback's virtual microphone. A real microphone never delivers
 * digital silence, and pocketsphinx's grammar mode can return nothing for speech surrounded by
 * exact zeros ("what is a named pipe" with 300 ms of silence before it), while a noise floor
 * of about -72 dBFS (peak 8 of 32767) makes it reliable without waking the VAD. The noise is
 * played into the microphone's sink with `pacat`, paced by the pipe's backpressure (pacat
 * reads as fast as the sink plays).
 */
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { spawn } from "node:child_process";

/** A running noise source. */
export interface RoomNoise {
  stop(): Promise<void>;
}

/** Deterministic white noise, s16le mono, peak `amplitude`. */
function noiseChunk(samples: number, amplitude: number, seed: { v: number }): Buffer {
  const out = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) {
    seed.v = (Math.imul(seed.v, 1103515245) + 12345) >>> 0;
    out.writeInt16LE(Math.round(((seed.v >>> 8) / 0x1000000 - 0.5) * 2 * amplitude), i * 2);
  }
  return out;
}

/** Plays white noise of peak `amplitude` (8: about -72 dBFS) into `sink` until stopped. */
export function startRoomNoise(
  sink: string,
  rate: number,
  env: NodeJS.ProcessEnv,
  amplitude = 8,
): RoomNoise {
  const child = spawn(
    "pacat",
    [
      "--playback",
      "--raw",
      "--format=s16le",
      `--rate=${rate}`,
      "--channels=1",
      "--latency-msec=50",
      "--client-name=voice-agent-room-noise",
      "-d",
      sink,
    ],
    { env, stdio: ["pipe", "ignore", "ignore"] },
  ) as unknown as ChildProcessWithoutNullStreams;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.once("error", () => undefined); // the loopback works without it, only less reliably
  child.stdin.on("error", () => undefined);
  const seed = { v: 1 };
  const chunk = Math.round(rate / 10);
  let stopped = false;
  const feed = (): void => {
    while (!stopped && child.stdin.write(noiseChunk(chunk, amplitude, seed)));
    if (!stopped) child.stdin.once("drain", feed);
  };
  feed();
  return {
    stop: async () => {
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        await exited;
      }
    },
  };
}
