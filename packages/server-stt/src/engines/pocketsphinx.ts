/**
 * The offline default engine: CMU PocketSphinx (`pocketsphinx_continuous` from Debian's
 * `pocketsphinx` package, with the `pocketsphinx-en-us` model), one process per utterance.
 *
 * A spare process is started ahead of time so its model is loaded before speech begins; the
 * utterance's audio is streamed into it as it arrives, and closing its input flushes the final
 * hypothesis. Each line it prints before that is a piece that has firmed up (a partial).
 * Node's child stdin is a socketpair, which `-infile /dev/stdin` cannot open, so the audio goes
 * through `cat` into a real pipe.
 */
import type { ChildProcessByStdio } from "node:child_process";
import { spawn } from "node:child_process";
import { access } from "node:fs/promises";
import type { Readable, Writable } from "node:stream";
import type { EngineStream, SttEngine, Transcript, WordTiming } from "../engine.js";
import { joinTranscripts } from "../engine.js";
import { SttError } from "../errors.js";
import { samplesToS16le } from "../audio/pcm.js";
import { which } from "../which.js";

/** Options of {@link PocketsphinxEngine}. */
export interface PocketsphinxOptions {
  /** The program [`pocketsphinx_continuous` on PATH]. */
  program?: string;
  /** Acoustic model directory [the Debian model, `/usr/share/pocketsphinx/model/en-us/en-us`]. */
  hmm?: string;
  /** Pronunciation dictionary [the program's default]. */
  dict?: string;
  /** Language model [the program's default]. */
  lm?: string;
  /** A JSGF grammar file: only its sentences are recognised (exact command vocabularies). */
  grammar?: string;
  /** Keep a warm process ready for the next utterance [true]. */
  prespawn?: boolean;
}

const DEFAULT_HMM = "/usr/share/pocketsphinx/model/en-us/en-us";
const INSTALL_HINT =
  "install it with 'apt-get install pocketsphinx pocketsphinx-en-us' (Debian/Ubuntu), or choose another engine with --engine";
const WORD_LINE = /^(\S+) (\d+(?:\.\d+)?) (\d+(?:\.\d+)?) (\S+)$/;

type Child = ChildProcessByStdio<Writable, Readable, Readable>;

/** Recognises speech with pocketsphinx_continuous. */
export class PocketsphinxEngine implements SttEngine {
  readonly name = "pocketsphinx";
  readonly #opts: PocketsphinxOptions;
  #program = "";
  #spare: Decoder | undefined;
  #closed = false;

  constructor(options: PocketsphinxOptions = {}) {
    this.#opts = options;
  }

  async load(): Promise<void> {
    const program = await which(this.#opts.program ?? "pocketsphinx_continuous");
    if (program === undefined) {
      throw new SttError(
        "ENOENGINE",
        `pocketsphinx is not installed (no pocketsphinx_continuous on PATH): ${INSTALL_HINT}`,
      );
    }
    this.#program = program;
    const hmm = this.#opts.hmm ?? DEFAULT_HMM;
    for (const [what, file] of [
      ["acoustic model", hmm],
      ["dictionary", this.#opts.dict],
      ["language model", this.#opts.lm],
      ["grammar", this.#opts.grammar],
    ] as const) {
      if (file === undefined) continue;
      try {
        await access(file);
      } catch {
        const fix =
          what === "acoustic model" && this.#opts.hmm === undefined
            ? INSTALL_HINT
            : "check the path";
        throw new SttError("ENOMODEL", `pocketsphinx ${what} '${file}' is missing: ${fix}`);
      }
    }
    // A short decode proves the model and grammar load (unknown grammar words fail here).
    const probe = this.#spawn();
    probe.write(new Int16Array(1600));
    await probe.end();
    this.#refill();
  }

  begin(onPartial: (soFar: Transcript) => void): EngineStream {
    const decoder = this.#spare ?? this.#spawn();
    this.#spare = undefined;
    this.#refill();
    decoder.onPartial = onPartial;
    return decoder;
  }

  transcribe(samples: Int16Array): Promise<Transcript> {
    const decoder = this.begin(() => undefined);
    decoder.write(samples);
    return decoder.end();
  }

  config(): Record<string, unknown> {
    return {
      engine: this.name,
      hmm: this.#opts.hmm ?? DEFAULT_HMM,
      grammar: this.#opts.grammar ?? null,
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#spare?.abort();
    this.#spare = undefined;
  }

  #refill(): void {
    if (this.#closed || this.#opts.prespawn === false || this.#spare !== undefined) return;
    this.#spare = this.#spawn();
  }

  #spawn(): Decoder {
    const args = ["-infile", "/dev/stdin", "-time", "yes", "-hmm", this.#opts.hmm ?? DEFAULT_HMM];
    if (this.#opts.dict !== undefined) args.push("-dict", this.#opts.dict);
    if (this.#opts.grammar !== undefined) args.push("-jsgf", this.#opts.grammar);
    else if (this.#opts.lm !== undefined) args.push("-lm", this.#opts.lm);
    const child = spawn("sh", ["-c", 'cat | exec "$0" "$@"', this.#program, ...args], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    return new Decoder(child);
  }
}

/** One pocketsphinx process decoding one utterance. */
class Decoder implements EngineStream {
  onPartial: (soFar: Transcript) => void = () => undefined;
  readonly #child: Child;
  readonly #pieces: Transcript[] = [];
  readonly #result: Promise<Transcript>;
  #current: { text: string; words: WordTiming[] } | undefined;
  #stdout = "";
  #stderr = "";
  #ended = false;
  #seed = 1;

  constructor(child: Child) {
    this.#child = child;
    child.stdin.on("error", () => undefined); // EPIPE when it dies early: reported on exit
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => this.#onStdout(chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-8192);
    });
    this.#result = new Promise((resolve, reject) => {
      child.once("error", (err) =>
        reject(
          new SttError("ENOENGINE", `cannot run pocketsphinx: ${err.message}`, { cause: err }),
        ),
      );
      child.once("close", (code, signal) => {
        this.#closePiece();
        if (code === 0) resolve(joinTranscripts(this.#pieces));
        else
          reject(
            new SttError(
              "EENGINE",
              `pocketsphinx failed (${code ?? signal}): ${lastError(this.#stderr)}`,
            ),
          );
      });
    });
    this.#result.catch(() => undefined); // awaited by end(); an aborted decoder is never awaited
  }

  write(samples: Int16Array): void {
    if (!this.#ended && samples.length > 0)
      this.#child.stdin.write(samplesToS16le(this.#dither(samples)));
  }

  /**
   * Adds +-1 LSB of triangular noise (deterministic). Pocketsphinx's noise and silence
   * estimates break on exact digital silence, which synthetic and file audio often contain.
   */
  #dither(samples: Int16Array): Int16Array {
    const out = new Int16Array(samples.length);
    for (let i = 0; i < samples.length; i++) {
      this.#seed = (Math.imul(this.#seed, 1103515245) + 12345) >>> 0;
      const noise = ((this.#seed >>> 16) & 3) === 0 ? -1 : ((this.#seed >>> 16) & 3) === 3 ? 1 : 0;
      out[i] = Math.max(-32768, Math.min(32767, (samples[i] ?? 0) + noise));
    }
    return out;
  }

  end(): Promise<Transcript> {
    if (!this.#ended) {
      this.#ended = true;
      this.#child.stdin.end();
    }
    return this.#result;
  }

  /**
   * Closes the decoder's input and stops listening to it. End of input makes cat and the
   * decoder exit by themselves and sh reap them (killing sh would orphan them); unref lets this
   * process exit meanwhile.
   */
  abort(): void {
    this.#ended = true;
    this.onPartial = () => undefined;
    this.#child.stdin.destroy();
    this.#child.stdout.destroy();
    this.#child.stderr.destroy();
    this.#child.unref();
  }

  #onStdout(chunk: string): void {
    this.#stdout += chunk;
    let nl: number;
    while ((nl = this.#stdout.indexOf("\n")) >= 0) {
      const line = this.#stdout.slice(0, nl).trim();
      this.#stdout = this.#stdout.slice(nl + 1);
      if (line !== "") this.#onLine(line);
    }
    const current = this.#current;
    if (current !== undefined && !this.#ended) {
      this.onPartial(
        joinTranscripts([...this.#pieces, { text: current.text, words: current.words }]),
      );
    }
  }

  /** A hypothesis line, then one line per word with its times (`-time yes`). */
  #onLine(line: string): void {
    const m = WORD_LINE.exec(line);
    if (m === null || this.#current === undefined) {
      this.#closePiece();
      this.#current = { text: line, words: [] };
      return;
    }
    const word = (m[1] ?? "").replace(/\(\d+\)$/, ""); // alternate pronunciations: word(2)
    if (word.startsWith("<") || word.startsWith("[") || word.startsWith("++")) {
      return; // <s>, </s>, <sil>, [NOISE], ++filler++: not words
    }
    this.#current.words.push({ word, start: Number(m[2]), end: Number(m[3]) });
  }

  #closePiece(): void {
    const piece = this.#current;
    if (piece === undefined) return;
    this.#current = undefined;
    this.#pieces.push({ text: piece.text, words: piece.words });
  }
}

function lastError(stderr: string): string {
  const lines = stderr.split("\n").filter((l) => /^(ERROR|FATAL)/.test(l));
  return (lines.at(-1) ?? stderr.trim().split("\n").at(-1) ?? "no output").trim();
}
