/**
 * Helpers for the tts tests: an in-process server in a fresh pipe directory, clients that
 * record audio frames, and audio checks.
 */
import type { TestContext } from "node:test";
import { ToolClient } from "named-pipe-tools";
import type { EventMessage } from "named-pipe-tools";
import { needs, tempDir } from "named-pipe-tools-testkit";
import type { AudioFrame } from "../src/frames.js";
import { decodeFrame } from "../src/frames.js";
import type { TtsServer, TtsServerOptions } from "../src/tts-server.js";
import { createTtsServer } from "../src/tts-server.js";

/** Why espeak-ng tests are skipped, or false when it is installed. */
export const NO_ESPEAK = needs("espeak-ng");

/** Starts a tts server (no playback unless asked) in a fresh directory, closed after the test. */
export async function startTts(
  t: TestContext,
  options: TtsServerOptions = {},
): Promise<{ server: TtsServer; dir: string }> {
  const dir = await tempDir(t, "tts-");
  const server = createTtsServer({ dir, log: null, play: false, handleSignals: false, ...options });
  t.after(() => server.close());
  await server.listen();
  await server.ready;
  return { server, dir };
}

/** A client that records every audio frame and event it receives. */
export interface Listener {
  client: ToolClient;
  frames: AudioFrame[];
  events: EventMessage[];
  /** Resolves when the end frame of `speechId` has arrived. */
  ended(speechId: number, ms?: number): Promise<AudioFrame>;
  /** Resolves at the first PCM frame satisfying `pred`. */
  frame(pred: (f: AudioFrame) => boolean, ms?: number): Promise<AudioFrame>;
}

/** Connects a recording client with a data channel. */
export async function listen(t: TestContext, dir: string): Promise<Listener> {
  const client = await ToolClient.connect("tts", { dir, data: true });
  t.after(() => client.close());
  const frames: AudioFrame[] = [];
  const events: EventMessage[] = [];
  const waiters = new Set<() => void>();
  client.on("*", (msg) => events.push(msg));
  client.onData((payload) => {
    const f = decodeFrame(Buffer.from(payload)); // copy: the payload may be reused
    if (f !== undefined) frames.push(f);
    for (const w of [...waiters]) w();
  });
  const frame = (pred: (f: AudioFrame) => boolean, ms = 10_000): Promise<AudioFrame> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const hit = frames.find(pred);
        if (hit === undefined) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(hit);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`timed out waiting for a frame (${frames.length} received)`));
      }, ms);
      waiters.add(check);
      check();
    });
  return {
    client,
    frames,
    events,
    frame,
    ended: (speechId, ms) => frame((f) => f.speechId === speechId && f.end, ms),
  };
}

/** The PCM of `frames` (one speech or all), joined. */
export function pcmOf(frames: AudioFrame[], speechId?: number): Buffer {
  return Buffer.concat(
    frames.filter((f) => speechId === undefined || f.speechId === speechId).map((f) => f.pcm),
  );
}

/** Root mean square of s16le samples, 0..32768. */
export function rms(pcm: Buffer): number {
  let sum = 0;
  const n = Math.floor(pcm.length / 2);
  for (let i = 0; i < n; i++) sum += pcm.readInt16LE(i * 2) ** 2;
  return n === 0 ? 0 : Math.sqrt(sum / n);
}

/**
 * First and last sample index whose 10 ms window is louder than `threshold` RMS; undefined when
 * all of it is silent.
 */
export function voicedSpan(
  pcm: Buffer,
  rate: number,
  threshold = 300,
): { start: number; end: number } | undefined {
  const win = Math.round(rate / 100);
  let start: number | undefined;
  let end: number | undefined;
  for (let i = 0; i + win * 2 <= pcm.length; i += win * 2) {
    if (rms(pcm.subarray(i, i + win * 2)) > threshold) {
      start ??= i / 2;
      end = i / 2 + win;
    }
  }
  return start === undefined || end === undefined ? undefined : { start, end };
}

/** Milliseconds of `pcm` in 10 ms windows louder than `threshold` RMS (gaps not counted). */
export function voicedMs(pcm: Buffer, rate: number, threshold = 300): number {
  const win = Math.round(rate / 100);
  let n = 0;
  for (let i = 0; i + win * 2 <= pcm.length; i += win * 2) {
    if (rms(pcm.subarray(i, i + win * 2)) > threshold) n++;
  }
  return n * 10;
}
