/**
 * Confidence for grammar and keyword results: pocketsphinx's keyword spotter (`-kws`) run on
 * the same audio as the grammar decoder. For each phrase it spots, it prints the likelihood
 * ratio of the phrase against a free phone loop over the same frames; per second of speech,
 * that ratio is the confidence: near 1 when the phrase explains the audio as well as any phone
 * sequence, lower the more the audio sounds like something else.
 *
 * The grammar decoder answers with the closest phrase; the spotter is what tells an unrelated
 * sentence from a command. Measured on espeak-ng speech (`-kws_plp 1e-10`): spoken commands
 * 0.79-0.91; sentences the grammar forced onto a command 0 (most), 0.63, and 0.78 for near
 * misses that differ from a command in one word ("turn on the garden hose").
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PsProcess } from "./pocketsphinx-process.js";

/** One spotted phrase. */
export interface Detection {
  phrase: string;
  /** Seconds from the start of the utterance's audio. */
  start: number;
  end: number;
  /** Likelihood ratio per second of the phrase, capped at 1. */
  confidence: number;
}

/** Phone-loop penalty of the spotter; measured to keep spoken commands below 1 on espeak speech. */
const PHONE_LOOP_PENALTY = "1e-10";
/** Per-phrase detection threshold: report everything, the caller decides. */
const REPORT_ALL = "1e-80";
const DETECTION = /^(.*\S)\s+(\d+(?:\.\d+)?) (\d+(?:\.\d+)?) (\d+(?:\.\d+)?(?:e[-+]?\d+)?)$/;

/** Parses one `-kws -time yes` detection line (undefined for the hypothesis line). */
export function parseDetection(line: string): Detection | undefined {
  const m = DETECTION.exec(line);
  if (m === null) return undefined;
  const start = Number(m[2]);
  const end = Number(m[3]);
  const ratio = Number(m[4]);
  const seconds = Math.max(0.01, end - start);
  const confidence = ratio > 0 ? Math.min(1, ratio ** (1 / seconds)) : 0;
  return { phrase: (m[1] ?? "").trim().replace(/\s+/g, " "), start, end, confidence };
}

/** The confidence of `phrase` among `detections` (0 when it was not spotted). */
export function phraseConfidence(detections: readonly Detection[], phrase: string): number {
  const want = phrase.trim().replace(/\s+/g, " ");
  return detections
    .filter((d) => d.phrase === want)
    .reduce((best, d) => Math.max(best, d.confidence), 0);
}

/** The keyphrase file the spotter reads, in a private temporary directory. */
export class KeyphraseFile {
  private constructor(
    readonly file: string,
    readonly phrases: readonly string[],
  ) {}

  /** Writes the file for `phrases`. */
  static async create(phrases: readonly string[]): Promise<KeyphraseFile> {
    const dir = await mkdtemp(path.join(tmpdir(), "stt-kws-"));
    const file = path.join(dir, "phrases.kws");
    await writeFile(file, phrases.map((p) => `${p} /${REPORT_ALL}/\n`).join(""), { mode: 0o600 });
    return new KeyphraseFile(file, phrases);
  }

  /** The decoder arguments that spot these phrases. */
  args(): string[] {
    return ["-time", "yes", "-kws", this.file, "-kws_plp", PHONE_LOOP_PENALTY];
  }

  /** Removes the file. */
  async remove(): Promise<void> {
    await rm(path.dirname(this.file), { recursive: true, force: true });
  }
}

/** A spotter process for one utterance, collecting its detections. */
export class Spotter {
  readonly detections: Detection[] = [];
  readonly #proc: PsProcess;

  constructor(program: string, args: readonly string[]) {
    this.#proc = new PsProcess(program, args, (line) => {
      const d = parseDetection(line);
      if (d !== undefined) this.detections.push(d);
    });
  }

  write(samples: Int16Array): void {
    this.#proc.write(samples);
  }

  /** Resolves with every detection once the utterance is decoded. */
  async end(): Promise<Detection[]> {
    await this.#proc.end();
    return this.detections;
  }

  abort(): void {
    this.#proc.abort();
  }
}
