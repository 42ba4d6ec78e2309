/**
 * The offline default engine: CMU PocketSphinx (`pocketsphinx_continuous` from Debian's
 * `pocketsphinx` package, with the `pocketsphinx-en-us` model), one process per utterance.
 *
 * A spare process is started ahead of time so its model is loaded before speech begins; the
 * utterance's audio is streamed into it as it arrives, and closing its input flushes the final
 * hypothesis. Each line it prints before that is a piece that has firmed up (a partial).
 *
 * Confidence: free-form, the mean of the words' lattice posteriors (`-time yes` prints them).
 * With a grammar (or keywords), whose posteriors are always 1, a keyword spotter runs beside
 * the decoder on the same audio and scores the phrase the grammar chose (see
 * pocketsphinx-spotter.ts); partials are not reported, since an unscored phrase must not reach
 * an agent.
 */
import { access, readFile } from "node:fs/promises";
import { findProgram } from "named-pipe-tools";
import type { EngineStream, SttEngine, Transcript, WordTiming } from "../engine.js";
import { joinTranscripts, meanWordConfidence } from "../engine.js";
import { SttError } from "../errors.js";
import { jsgfPhrases } from "../jsgf-phrases.js";
import { PsProcess } from "./pocketsphinx-process.js";
import { KeyphraseFile, Spotter, phraseConfidence } from "./pocketsphinx-spotter.js";

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

/** Recognises speech with pocketsphinx_continuous. */
export class PocketsphinxEngine implements SttEngine {
  readonly name = "pocketsphinx";
  readonly #opts: PocketsphinxOptions;
  #program = "";
  #spare: Utterance | undefined;
  #spotter: KeyphraseFile | undefined;
  #closed = false;

  constructor(options: PocketsphinxOptions = {}) {
    this.#opts = options;
  }

  async load(): Promise<void> {
    const program = findProgram(this.#opts.program ?? "pocketsphinx_continuous");
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
    if (this.#opts.grammar !== undefined) {
      const phrases = jsgfPhrases(await readFile(this.#opts.grammar, "utf8"));
      if (phrases !== undefined) this.#spotter = await KeyphraseFile.create(phrases);
    }
    // A short decode proves the model and grammar load (unknown grammar words fail here).
    const probe = this.#spawn();
    probe.write(new Int16Array(1600));
    await probe.end();
    this.#refill();
  }

  begin(onPartial: (soFar: Transcript) => void): EngineStream {
    const utterance = this.#spare ?? this.#spawn();
    this.#spare = undefined;
    this.#refill();
    if (this.#opts.grammar === undefined) utterance.onPartial = onPartial;
    return utterance;
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
      confidence:
        this.#opts.grammar === undefined
          ? "word posteriors"
          : this.#spotter === undefined
            ? null // a grammar whose sentences cannot be listed: nothing to spot
            : "keyword spotter",
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#spare?.abort();
    this.#spare = undefined;
    await this.#spotter?.remove();
  }

  #refill(): void {
    if (this.#closed || this.#opts.prespawn === false || this.#spare !== undefined) return;
    this.#spare = this.#spawn();
  }

  #spawn(): Utterance {
    const model = ["-hmm", this.#opts.hmm ?? DEFAULT_HMM];
    if (this.#opts.dict !== undefined) model.push("-dict", this.#opts.dict);
    const args = ["-time", "yes", ...model];
    if (this.#opts.grammar !== undefined) args.push("-jsgf", this.#opts.grammar);
    else if (this.#opts.lm !== undefined) args.push("-lm", this.#opts.lm);
    const spotter =
      this.#spotter === undefined
        ? undefined
        : new Spotter(this.#program, [...model, ...this.#spotter.args()]);
    return new Utterance(this.#program, args, spotter, this.#opts.grammar !== undefined);
  }
}

/**
 * One utterance: the decoder process, plus the spotter that scores a grammar's phrase. The
 * decoder prints a hypothesis line, then one line per word with its times and posterior.
 */
class Utterance implements EngineStream {
  onPartial: (soFar: Transcript) => void = () => {};
  readonly #decoder: PsProcess;
  readonly #spotter: Spotter | undefined;
  readonly #grammar: boolean;
  readonly #pieces: Transcript[] = [];
  #current: { text: string; words: WordTiming[] } | undefined;

  constructor(program: string, args: string[], spotter: Spotter | undefined, grammar: boolean) {
    this.#spotter = spotter;
    this.#grammar = grammar;
    this.#decoder = new PsProcess(program, args, (line) => this.#onLine(line));
  }

  write(samples: Int16Array): void {
    this.#decoder.write(samples);
    this.#spotter?.write(samples);
  }

  async end(): Promise<Transcript> {
    const [, detections] = await Promise.all([this.#decoder.end(), this.#spotter?.end()]);
    this.#closePiece();
    const t = joinTranscripts(this.#pieces);
    if (!this.#grammar) {
      const confidence = meanWordConfidence(t.words ?? []);
      return confidence === undefined ? t : { ...t, confidence };
    }
    // Posteriors under a grammar are always 1: only the spotter's score means anything.
    const words = t.words?.map(({ word, start, end }) => ({ word, start, end }));
    const scored: Transcript = words === undefined ? { text: t.text } : { text: t.text, words };
    if (detections === undefined || t.text === "") return scored;
    return { ...scored, confidence: round3(phraseConfidence(detections, t.text)) };
  }

  abort(): void {
    this.onPartial = () => {};
    this.#decoder.abort();
    this.#spotter?.abort();
  }

  #onLine(line: string): void {
    const m = WORD_LINE.exec(line);
    if (m === null || this.#current === undefined) {
      this.#closePiece();
      this.#current = { text: line, words: [] };
    } else {
      const word = (m[1] ?? "").replace(/\(\d+\)$/, ""); // alternate pronunciations: word(2)
      // <s>, </s>, <sil>, [NOISE], ++filler++: not words
      if (!word.startsWith("<") && !word.startsWith("[") && !word.startsWith("++")) {
        const posterior = Number(m[4]);
        this.#current.words.push({
          word,
          start: Number(m[2]),
          end: Number(m[3]),
          ...(Number.isFinite(posterior) ? { confidence: round3(Math.min(1, posterior)) } : {}),
        });
      }
    }
    const current = this.#current;
    if (!this.#decoder.ended) this.onPartial(joinTranscripts([...this.#pieces, current]));
  }

  #closePiece(): void {
    const piece = this.#current;
    if (piece === undefined) return;
    this.#current = undefined;
    this.#pieces.push({ text: piece.text, words: piece.words });
  }
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
