/**
 * Sentence splitting for streamed text. A sentence is complete at `.`, `!`, `?` or `…`
 * (optionally followed by closing quotes or brackets) followed by whitespace, as in the
 * reference, and at a line break; except after common abbreviations ("Dr. Smith"), initials
 * ("J. R. R."), dotted abbreviations ("e.g.", "U.S.") and list numbers ("1."). A period not
 * followed by whitespace ("3.14", "v1.2") never ends a sentence. A sentence longer than
 * `maxChars` is cut at the last clause boundary (`,;:` or a dash) or space before the bound, so
 * speech never waits for a sentence without end.
 */

/** Words that end with a period but do not end a sentence (compared lowercased, without it). */
// Only words that are rarely the last word of a sentence ("No." and "sun." are, so not here).
const ABBREVIATIONS = new Set(
  (
    "mr mrs ms dr prof sr jr st mt ft vs approx fig vol ch gen col lt sgt capt rev hon inc " +
    "ltd co corp dept jan feb apr jun jul aug sep sept oct nov dec cf al"
  ).split(" "),
);

const TERMINATORS = new Set([".", "!", "?", "…"]);
const CLOSERS = new Set(['"', "'", ")", "]", "}", "”", "’", "»"]);

/** Options of {@link SentenceSplitter}. */
export interface SplitterOptions {
  /** Longest sentence, in characters, before it is cut [250]. */
  maxChars?: number;
}

/** Whether the word before a period at `dot` is an abbreviation (so the period ends nothing). */
function isAbbreviation(text: string, dot: number): boolean {
  let start = dot;
  while (start > 0 && !/\s/.test(text[start - 1] ?? " ")) start--;
  const word = text.slice(start, dot).replace(/^["'([“‘«]+/, "");
  if (word === "") return false;
  if (/^[A-Z]$/.test(word)) return true; // an initial: "J. R. R. Tolkien"
  if (/^(?:[A-Za-z]\.)+[A-Za-z]$/.test(word)) return true; // "e.g", "U.S", "i.e"
  if (/^\d+$/.test(word) && text.slice(0, start).trim() === "") return true; // "1. First"
  return ABBREVIATIONS.has(word.toLowerCase());
}

/**
 * Finds the end (exclusive) of the first complete sentence in `text`, or -1. With `final`, the
 * end of the text also ends a sentence.
 */
function sentenceEnd(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "\n") return i + 1;
    if (!TERMINATORS.has(c)) continue;
    let j = i + 1;
    while (j < text.length && (TERMINATORS.has(text[j]!) || CLOSERS.has(text[j]!))) j++;
    if (j >= text.length) return -1; // need to see what follows
    if (!/\s/.test(text[j]!)) {
      i = j - 1;
      continue;
    }
    if (c === "." && j === i + 1 && isAbbreviation(text, i)) continue;
    return j;
  }
  return -1;
}

/** Where to cut an over-long sentence: after the last clause mark or space before `max`. */
function cutPoint(text: string, max: number): number {
  const head = text.slice(0, max);
  const clause = Math.max(
    ...[", ", "; ", ": ", " - ", " – ", " — "].map((m) => {
      const at = head.lastIndexOf(m);
      return at < 0 ? -1 : at + m.length - 1;
    }),
  );
  if (clause >= max / 3) return clause + 1;
  const space = head.lastIndexOf(" ");
  return space > 0 ? space + 1 : max;
}

/**
 * Splits a stream of text into sentences as soon as each is complete.
 *
 * ```ts
 * const s = new SentenceSplitter();
 * s.push("Hello Dr. Smith. How a"); // ["Hello Dr. Smith."]
 * s.push("re you?");                // [] (the "?" may be followed by more)
 * s.flush();                        // "How are you?"
 * ```
 */
export class SentenceSplitter {
  readonly maxChars: number;
  #buffer = "";

  constructor(options: SplitterOptions = {}) {
    const max = options.maxChars ?? 250;
    if (!Number.isInteger(max) || max < 20) {
      throw new TypeError(`maxChars must be an integer >= 20, got ${String(max)}`);
    }
    this.maxChars = max;
  }

  /** Text received but not yet returned as a sentence. */
  get pending(): string {
    return this.#buffer;
  }

  /** Appends text; returns the sentences it completes (trimmed, never empty). */
  push(text: string): string[] {
    this.#buffer += text;
    const out: string[] = [];
    for (;;) {
      const trimmed = this.#buffer.replace(/^\s+/, "");
      this.#buffer = trimmed;
      let end = sentenceEnd(trimmed);
      if (end < 0 || end > this.maxChars) {
        if (trimmed.length <= this.maxChars) break;
        end = cutPoint(trimmed, this.maxChars);
      }
      const sentence = trimmed.slice(0, end).trim();
      this.#buffer = trimmed.slice(end);
      if (sentence !== "") out.push(sentence);
    }
    return out;
  }

  /** Returns what remains (trimmed; undefined when nothing does) and empties the buffer. */
  flush(): string | undefined {
    const rest = this.#buffer.trim();
    this.#buffer = "";
    return rest === "" ? undefined : rest;
  }

  /** Drops what is buffered. */
  clear(): void {
    this.#buffer = "";
  }
}

/** Splits a whole text into sentences (the end of the text ends the last one). */
export function splitSentences(text: string, options: SplitterOptions = {}): string[] {
  const splitter = new SentenceSplitter(options);
  const out = splitter.push(text);
  // The final sentence may still exceed the bound.
  const rest = splitter.flush();
  if (rest !== undefined) out.push(...splitter.push(`${rest}\n`));
  return out;
}

/**
 * Removes markup an LLM emits that a synthesizer would read aloud or choke on (Markdown
 * emphasis, headings, code ticks, list bullets). Returns "" when nothing speakable is left.
 */
export function speakableText(sentence: string): string {
  const text = sentence
    .replace(/^\s*(?:#{1,6}|[-*+•]|>)\s+/, "")
    .replace(/[*_`~#]+/g, "")
    .replace(/\s+/g, " ")
    .trim();
  return /[\p{L}\p{N}]/u.test(text) ? text : "";
}
