import assert from "node:assert/strict";
import { test } from "node:test";
import { SentenceSplitter, speakableText, splitSentences } from "../src/sentences.js";

test("splits at . ! ? followed by whitespace, as the reference", () => {
  assert.deepEqual(splitSentences("Hello there. How are you? Fine!"), [
    "Hello there.",
    "How are you?",
    "Fine!",
  ]);
});

test("abbreviations and initials do not end a sentence", () => {
  assert.deepEqual(splitSentences("I met Dr. Smith and Mrs. Jones today. They said hi."), [
    "I met Dr. Smith and Mrs. Jones today.",
    "They said hi.",
  ]);
  assert.deepEqual(splitSentences("J. R. R. Tolkien wrote it, e.g. the Hobbit. Yes."), [
    "J. R. R. Tolkien wrote it, e.g. the Hobbit.",
    "Yes.",
  ]);
  assert.deepEqual(splitSentences("No. I did not."), ["No.", "I did not."]);
});

test("decimals and versions are not sentence ends", () => {
  assert.deepEqual(splitSentences("Pi is 3.14 roughly. Use v1.2.3 now."), [
    "Pi is 3.14 roughly.",
    "Use v1.2.3 now.",
  ]);
});

test("a decimal split across tokens waits for the next token", () => {
  const s = new SentenceSplitter();
  assert.deepEqual(s.push("It costs 3."), []);
  assert.deepEqual(s.push("50 dollars. Then"), ["It costs 3.50 dollars."]);
  assert.equal(s.flush(), "Then");
});

test("a terminator at the end of the buffer waits to see what follows", () => {
  const s = new SentenceSplitter();
  assert.deepEqual(s.push("Hello world."), []);
  assert.deepEqual(s.push(" Next"), ["Hello world."]);
});

test("no final punctuation: flush returns the rest; splitSentences keeps it", () => {
  const s = new SentenceSplitter();
  assert.deepEqual(s.push("one sentence without an end"), []);
  assert.equal(s.flush(), "one sentence without an end");
  assert.equal(s.flush(), undefined);
  assert.deepEqual(splitSentences("Done. and a tail"), ["Done.", "and a tail"]);
});

test("closing quotes and brackets stay with their sentence; line breaks end one", () => {
  assert.deepEqual(splitSentences('He said "Stop." Then (quietly.) left\nNew line'), [
    'He said "Stop."',
    "Then (quietly.)",
    "left",
    "New line",
  ]);
  assert.deepEqual(splitSentences("Steps:\n1. Mix it.\n2. Bake it."), [
    "Steps:",
    "1. Mix it.",
    "2. Bake it.",
  ]);
});

test("very long sentences are cut at a clause or word boundary within the bound", () => {
  const clause = "this part goes on for a while, ";
  const long = clause.repeat(20) + "and ends.";
  const parts = splitSentences(long, { maxChars: 100 });
  assert.ok(parts.length > 5);
  for (const p of parts) assert.ok(p.length <= 100, p);
  assert.equal(parts.join(" "), long.trim());
  for (const p of parts.slice(0, -1)) assert.ok(p.endsWith(","), p);
  // No spaces at all: a hard cut at the bound.
  const word = "x".repeat(250);
  assert.deepEqual(
    splitSentences(word, { maxChars: 100 }).map((p) => p.length),
    [100, 100, 50],
  );
  // Streaming: the cut happens as soon as the bound is passed, before any punctuation.
  const s = new SentenceSplitter({ maxChars: 50 });
  const out = s.push("word ".repeat(12));
  assert.equal(out.length, 1);
  assert.ok(out[0]!.length <= 50);
});

test("tokens arriving one character at a time give the same sentences", () => {
  const text = "Dr. Smith paid $3.50. Was it enough? Yes! The end";
  const s = new SentenceSplitter();
  const out: string[] = [];
  for (const c of text) out.push(...s.push(c));
  const rest = s.flush();
  if (rest !== undefined) out.push(rest);
  assert.deepEqual(out, splitSentences(text));
  assert.deepEqual(out, ["Dr. Smith paid $3.50.", "Was it enough?", "Yes!", "The end"]);
});

test("speakableText removes markdown and skips empty sentences", () => {
  assert.equal(speakableText("## **Bold** `code` here"), "Bold code here");
  assert.equal(speakableText("- item one"), "item one");
  assert.equal(speakableText("---"), "");
  assert.equal(speakableText("   "), "");
});
