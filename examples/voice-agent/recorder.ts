/**
 * Records a sound-server source with `parec` and places every sample on the wall clock, so the
 * loopback can say when speech ended on the microphone and when audio came out of the speaker.
 *
 * The source runs in real time (a null sink's monitor produces silence when nothing plays), so
 * sample i was captured at t0 + i / rate. t0 is the earliest that is consistent with every
 * chunk's arrival (arrival time minus the audio received so far): the chunk that came with the
 * least delay fixes it.
 */
import type { ChildProcessByStdio } from "node:child_process";
import { spawn } from "node:child_process";
import { EventEmitter } from "node:events";
import type { Readable } from "node:stream";
import { now } from "./latency.js";

/** Analysis window, ms. */
const WINDOW_MS = 10;
/** A window is voiced when a sample's magnitude reaches this (about -36 dBFS). */
const VOICED_PEAK = 500;
/** Raw audio kept for `pcm()`, at most (about 10 minutes at 22,050 Hz). */
const MAX_KEPT_BYTES = 26_000_000;

/** Voiced-window analysis of 16-bit mono samples on a timeline: the testable core of {@link Recorder}. */
export class VoicedTimeline {
  readonly rate: number;
  readonly #window: number;
  /** Indexes of voiced windows, ascending. */
  readonly #voiced: number[] = [];
  #samples = 0;
  #peak = 0;
  #inWindow = 0;
  #t0 = Number.POSITIVE_INFINITY;

  constructor(rate: number) {
    this.rate = rate;
    this.#window = Math.round((rate * WINDOW_MS) / 1000);
  }

  /** Samples analysed so far. */
  get samples(): number {
    return this.#samples;
  }

  /** Adds samples that arrived at `arrivedAt` (epoch ms). */
  push(samples: Int16Array, arrivedAt: number): void {
    for (const s of samples) {
      const m = s < 0 ? -s : s;
      if (m > this.#peak) this.#peak = m;
      if (++this.#inWindow === this.#window) {
        if (this.#peak >= VOICED_PEAK) this.#voiced.push(this.#samples / this.#window);
        this.#samples += this.#window;
        this.#inWindow = 0;
        this.#peak = 0;
      }
    }
    const received = this.#samples + this.#inWindow;
    this.#t0 = Math.min(this.#t0, arrivedAt - (received / this.rate) * 1000);
  }

  /** The wall-clock time of sample `i`, epoch ms. */
  timeOf(i: number): number {
    return this.#t0 + (i / this.rate) * 1000;
  }

  /** Up to when the analysis reaches, epoch ms (-Infinity before any audio). */
  get end(): number {
    return this.#samples === 0 ? Number.NEGATIVE_INFINITY : this.timeOf(this.#samples);
  }

  /** Start of the first voiced window starting at or after `t`, epoch ms. */
  firstVoicedAfter(t: number): number | undefined {
    for (const w of this.#voiced) {
      const start = this.timeOf(w * this.#window);
      if (start >= t) return start;
    }
    return undefined;
  }

  /** End of the last voiced window ending at or before `t`, epoch ms. */
  lastVoicedBefore(t: number): number | undefined {
    for (let k = this.#voiced.length - 1; k >= 0; k--) {
      const end = this.timeOf((this.#voiced[k]! + 1) * this.#window);
      if (end <= t) return end;
    }
    return undefined;
  }

  /** Voiced audio between `from` and `to`, ms. */
  voicedMs(from: number, to: number): number {
    let n = 0;
    for (const w of this.#voiced) {
      const start = this.timeOf(w * this.#window);
      if (start >= from && start < to) n++;
    }
    return n * WINDOW_MS;
  }
}

/** A running `parec` recording of one source. */
export class Recorder {
  readonly timeline: VoicedTimeline;
  readonly #child: ChildProcessByStdio<null, Readable, Readable>;
  readonly #events = new EventEmitter();
  readonly #chunks: Buffer[] = [];
  #kept = 0;
  #odd: Buffer | undefined;
  #failure: Error | undefined;
  readonly #exited: Promise<void>;

  private constructor(source: string, rate: number, env: NodeJS.ProcessEnv) {
    this.timeline = new VoicedTimeline(rate);
    this.#events.setMaxListeners(0);
    this.#child = spawn(
      "parec",
      [
        "-d",
        source,
        "--raw",
        "--format=s16le",
        `--rate=${rate}`,
        "--channels=1",
        "--latency-msec=10",
      ],
      { env, stdio: ["ignore", "pipe", "pipe"] },
    );
    this.#exited = new Promise((resolve) => this.#child.once("exit", () => resolve()));
    let stderr = "";
    this.#child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr = (stderr + d).slice(-2000);
    });
    this.#child.once("error", (err) => this.#fail(new Error(`parec: ${err.message}`)));
    this.#child.once("exit", (code, signal) =>
      this.#fail(new Error(`parec -d ${source} stopped (${code ?? signal}): ${stderr.trim()}`)),
    );
    this.#child.stdout.on("data", (chunk: Buffer) => this.#onChunk(chunk));
  }

  /** Starts recording `source`; resolves once audio flows. */
  static async start(
    source: string,
    rate: number,
    env: NodeJS.ProcessEnv,
    timeoutMs = 10_000,
  ): Promise<Recorder> {
    const rec = new Recorder(source, rate, env);
    try {
      await rec.waitFor(() => rec.timeline.samples > 0, timeoutMs, `audio from ${source}`);
    } catch (err) {
      await rec.stop();
      throw err;
    }
    return rec;
  }

  #onChunk(chunk: Buffer): void {
    const at = now();
    const bytes = this.#odd === undefined ? chunk : Buffer.concat([this.#odd, chunk]);
    const even = bytes.length - (bytes.length % 2);
    this.#odd = even < bytes.length ? bytes.subarray(even) : undefined;
    const whole = bytes.subarray(0, even);
    if (this.#kept + whole.length <= MAX_KEPT_BYTES) {
      this.#chunks.push(Buffer.from(whole));
      this.#kept += whole.length;
    }
    const samples = new Int16Array(whole.length / 2);
    for (let i = 0; i < samples.length; i++) samples[i] = whole.readInt16LE(i * 2);
    this.timeline.push(samples, at);
    this.#events.emit("progress");
  }

  #fail(err: Error): void {
    this.#failure ??= err;
    this.#events.emit("progress");
  }

  /**
   * Resolves once `condition()` holds, checked after every chunk; rejects after `timeoutMs`
   * (naming `what`) or when the recording fails.
   */
  waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (condition()) finish();
        else if (this.#failure !== undefined) finish(this.#failure);
      };
      const timer = setTimeout(
        () => finish(new Error(`no ${what} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const finish = (err?: Error): void => {
        clearTimeout(timer);
        this.#events.off("progress", check);
        if (err === undefined) resolve();
        else reject(err);
      };
      this.#events.on("progress", check);
      check();
    });
  }

  /** Resolves once the recording covers up to `t` (epoch ms). */
  reach(t: number, timeoutMs = 5000): Promise<void> {
    return this.waitFor(() => this.timeline.end >= t, timeoutMs, "recording up to that moment");
  }

  /** All the audio recorded (s16le mono). */
  pcm(): Buffer {
    return Buffer.concat(this.#chunks);
  }

  /** Stops recording. */
  async stop(): Promise<void> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) {
      this.#failure ??= new Error("stopped");
      this.#child.kill("SIGTERM");
      await this.#exited;
    }
  }
}
