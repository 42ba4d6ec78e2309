/**
 * Command vocabularies: a keyword (phrase) list becomes a JSGF grammar that accepts exactly one
 * of the phrases.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { SttError } from "./errors.js";

/** Normalises a phrase to lowercase words without punctuation. */
export function normalizePhrase(phrase: string): string {
  return phrase
    .toLowerCase()
    .replace(/[^a-z0-9' ]+/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** Splits a comma- or newline-separated keyword list into normalised phrases. */
export function parseKeywords(list: string): string[] {
  const phrases = [...new Set(list.split(/[,\n]/).map(normalizePhrase))].filter((p) => p !== "");
  if (phrases.length === 0) {
    throw new SttError(
      "EUSAGE",
      `--keywords needs at least one phrase, got ${JSON.stringify(list)}`,
    );
  }
  return phrases;
}

/** A JSGF grammar whose only sentences are the given phrases. */
export function keywordsToJsgf(phrases: readonly string[]): string {
  return `#JSGF V1.0;\ngrammar keywords;\npublic <phrase> = ${phrases.join(" | ")};\n`;
}

/** Writes the grammar for `phrases` into a fresh private temp directory; returns its path. */
export async function writeKeywordGrammar(phrases: readonly string[]): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "stt-grammar-"));
  const file = path.join(dir, "keywords.gram");
  await writeFile(file, keywordsToJsgf(phrases), { mode: 0o600 });
  return file;
}
