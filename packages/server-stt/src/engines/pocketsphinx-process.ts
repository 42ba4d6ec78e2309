/**
 * One `pocketsphinx_continuous` process decoding one utterance: audio streamed into it as it
 * arrives, each output line handed to a parser, the exit status as the result.
 *
 * Node's child stdin is a socketpair, which `-infile /dev/stdin` cannot open, so the audio
 * goes through `cat` into a real pipe.
 */
import type { ChildProcessByStdio } from "node:child_process";
import { spawn } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import { SttError } from "../errors.js";
import { samplesToS16le } from "../audio/pcm.js";

type Child = ChildProcessByStdio<Writable, Readable, Readable>;

/** A running decoder process. */
export class PsProcess {
  readonly #child: Child;
  readonly #done: Promise<void>;
  #stdout = "";
  #stderr = "";
  #ended = false;
  #seed = 1;

  /** Starts `program args...` with `-infile /dev/stdin`; `onLine` gets each non-empty line. */
  constructor(program: string, args: readonly string[], onLine: (line: string) => void) {
    const child = spawn(
      "sh",
      ["-c", 'cat | exec "$0" "$@"', program, "-infile", "/dev/stdin", ...args],
      { stdio: ["pipe", "pipe", "pipe"] },
    );
    this.#child = child;
    child.stdin.on("error", () => {}); // EPIPE when it dies early: reported on exit
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      this.#stdout += chunk;
      let nl: number;
      while ((nl = this.#stdout.indexOf("\n")) >= 0) {
        const line = this.#stdout.slice(0, nl).trim();
        this.#stdout = this.#stdout.slice(nl + 1);
        if (line !== "") onLine(line);
      }
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-8192);
    });
    this.#done = new Promise((resolve, reject) => {
      child.once("error", (err) =>
        reject(
          new SttError("ENOENGINE", `cannot run pocketsphinx: ${err.message}`, { cause: err }),
        ),
      );
      child.once("close", (code, signal) => {
        if (code === 0) resolve();
        else
          reject(
            new SttError(
              "EENGINE",
              `pocketsphinx failed (${code ?? signal}): ${lastError(this.#stderr)}`,
            ),
          );
      });
    });
    this.#done.catch(() => {}); // awaited by end(); an aborted process is never awaited
  }

  /** Whether `end()` or `abort()` was called. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Adds 16 kHz mono s16 samples. */
  write(samples: Int16Array): void {
    if (!this.#ended && samples.length > 0)
      this.#child.stdin.write(samplesToS16le(this.#dither(samples)));
  }

  /** Ends the audio; resolves when the process has printed everything and exited. */
  end(): Promise<void> {
    if (!this.#ended) {
      this.#ended = true;
      this.#child.stdin.end();
    }
    return this.#done;
  }

  /**
   * Closes the input and stops listening. End of input makes cat and the decoder exit by
   * themselves and sh reap them (killing sh would orphan them); unref lets this process exit
   * meanwhile.
   */
  abort(): void {
    this.#ended = true;
    this.#child.stdin.destroy();
    this.#child.stdout.destroy();
    this.#child.stderr.destroy();
    this.#child.unref();
  }

  /**
   * Adds +-1 LSB of triangular noise (deterministic). Pocketsphinx's noise and silence
   * estimates break on exact digital silence, which synthetic and file audio often contain.
   */
  #dither(samples: Int16Array): Int16Array {
    const out = new Int16Array(samples.length);
    for (let i = 0; i < samples.length; i++) {
      this.#seed = (Math.imul(this.#seed, 1103515245) + 12345) >>> 0;
      const bits = (this.#seed >>> 16) & 3;
      const noise = bits === 0 ? -1 : bits === 3 ? 1 : 0;
      out[i] = Math.max(-32768, Math.min(32767, (samples[i] ?? 0) + noise));
    }
    return out;
  }
}

function lastError(stderr: string): string {
  const lines = stderr.split("\n").filter((l) => /^(ERROR|FATAL)/.test(l));
  return (lines.at(-1) ?? stderr.trim().split("\n").at(-1) ?? "no output").trim();
}
