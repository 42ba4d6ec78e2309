/**
 * The default engine: the espeak-ng binary (Debian package `espeak-ng`, Homebrew `espeak-ng`),
 * spawned once per sentence with `--stdout`. Its WAV output is streamed as it is produced, so
 * the first audio frame leaves before the sentence is fully synthesized.
 */
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { execFile, spawn } from "node:child_process";
import { promisify } from "node:util";
import type { SynthesisOptions, TtsEngine, Voice } from "./engine.js";
import { TtsError } from "./errors.js";
import { WavStreamParser } from "./wav.js";

const run = promisify(execFile);

/** espeak-ng's normal speaking rate, in words per minute. */
const NORMAL_WPM = 175;

/** Options of {@link EspeakEngine}. */
export interface EspeakEngineOptions {
  /** The espeak-ng executable [`espeak-ng` on PATH]. */
  binary?: string;
  /** Default voice ["en-us"]. */
  voice?: string;
}

/** Parses the table printed by `espeak-ng --voices`. */
export function parseEspeakVoices(table: string): Voice[] {
  const voices: Voice[] = [];
  for (const line of table.split("\n").slice(1)) {
    const cols = line.trim().split(/\s+/);
    const [, language, ageGender, name] = cols;
    if (language === undefined || name === undefined) continue;
    const g = ageGender?.split("/")[1];
    const voice: Voice = { id: language, name: name.replace(/_/g, " "), language };
    if (g === "M") voice.gender = "male";
    else if (g === "F") voice.gender = "female";
    voices.push(voice);
  }
  return voices;
}

/** The espeak-ng binary as a {@link TtsEngine}. Output: 22,050 Hz s16le mono. */
export class EspeakEngine implements TtsEngine {
  readonly name = "espeak-ng";
  readonly defaultVoice: string;
  #sampleRate = 22050;
  readonly #binary: string;
  #voices: Voice[] | undefined;

  constructor(options: EspeakEngineOptions = {}) {
    this.#binary = options.binary ?? "espeak-ng";
    this.defaultVoice = options.voice ?? "en-us";
  }

  get sampleRate(): number {
    return this.#sampleRate;
  }

  async load(): Promise<void> {
    // One tiny synthesis checks the binary and its data, and reads the real sample rate.
    const ctl = new AbortController();
    let bytes = 0;
    const parser = new WavStreamParser();
    try {
      for await (const chunk of this.#spawn(".", this.defaultVoice, 1, ctl.signal, parser)) {
        bytes += chunk.length;
      }
    } catch (err) {
      if (err instanceof TtsError) throw err;
      throw new TtsError("ENOENGINE", `espeak-ng failed to start: ${(err as Error).message}`, {
        cause: err,
      });
    }
    if (parser.format !== undefined) this.#sampleRate = parser.format.sampleRate;
    void bytes;
  }

  async listVoices(): Promise<Voice[]> {
    if (this.#voices === undefined) {
      try {
        const { stdout } = await run(this.#binary, ["--voices"], { timeout: 10_000 });
        this.#voices = parseEspeakVoices(stdout);
      } catch (err) {
        throw new TtsError("ENOENGINE", `cannot list espeak-ng voices: ${(err as Error).message}`, {
          cause: err,
        });
      }
    }
    return this.#voices;
  }

  synthesize(text: string, options: SynthesisOptions): AsyncIterable<Uint8Array> {
    return this.#spawn(text, options.voice, options.rate, options.signal, new WavStreamParser());
  }

  async *#spawn(
    text: string,
    voice: string,
    rate: number,
    signal: AbortSignal,
    parser: WavStreamParser,
  ): AsyncGenerator<Buffer> {
    if (signal.aborted) return;
    const wpm = Math.round(Math.min(Math.max(NORMAL_WPM * rate, 80), 900));
    // Text goes through stdin: no argv length limit, and text starting with '-' is not an option.
    let child: ChildProcessWithoutNullStreams;
    try {
      child = spawn(this.#binary, ["--stdout", "-b", "1", "-v", voice, "-s", String(wpm)], {
        stdio: ["pipe", "pipe", "pipe"],
      });
    } catch (err) {
      throw new TtsError("ENOENGINE", `cannot run ${this.#binary}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    let stderr = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (d: string) => {
      if (stderr.length < 2000) stderr += d;
    });
    let spawnError: Error | undefined;
    child.once("error", (err) => (spawnError = err));
    const exited = new Promise<number | null>((resolve) => child.once("close", resolve));
    const kill = (): void => {
      child.kill("SIGKILL");
    };
    signal.addEventListener("abort", kill, { once: true });
    child.stdin.on("error", () => undefined); // EPIPE when it dies early; reported via exit
    child.stdin.end(`${text}\n`);
    try {
      for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
        if (signal.aborted) return;
        const pcm = parser.push(chunk);
        if (pcm.length > 0) yield pcm;
      }
      const code = await exited;
      if (signal.aborted) return;
      const failed = spawnError;
      if (failed !== undefined) {
        const missing = (failed as NodeJS.ErrnoException).code === "ENOENT";
        throw new TtsError(
          "ENOENGINE",
          missing
            ? `${this.#binary} is not installed (Debian: apt-get install espeak-ng; macOS: brew install espeak-ng)`
            : `cannot run ${this.#binary}: ${failed.message}`,
          { cause: failed },
        );
      }
      if (code !== 0) {
        const why = stderr.trim().split("\n")[0] ?? "";
        if (/voice/i.test(why)) {
          throw new TtsError("EBADVOICE", `espeak-ng: ${why}`);
        }
        throw new TtsError(
          "ESYNTH",
          `espeak-ng exited with ${String(code)}${why ? `: ${why}` : ""}`,
        );
      }
      if (parser.format === undefined) throw new TtsError("ESYNTH", "espeak-ng produced no audio");
    } finally {
      signal.removeEventListener("abort", kill);
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
  }
}
