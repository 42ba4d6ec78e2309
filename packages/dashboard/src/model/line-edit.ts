/**
 * Editing one line of text with a cursor, as readline does: the keys a form field takes.
 * Pure functions, so the editing rules are tested without a terminal.
 */
import type { Key } from "ink";

/** A line and its cursor (an index into the line's code points). */
export interface LineState {
  text: string;
  cursor: number;
}

/** A field starting with `text`, the cursor at its end. */
export function lineOf(text: string): LineState {
  return { text, cursor: [...text].length };
}

/**
 * Applies one key to a line; undefined when the key is not an editing key (so the caller can
 * give it another meaning, such as Enter or Tab).
 */
export function editLine(state: LineState, input: string, key: Key): LineState | undefined {
  const chars = [...state.text];
  const at = Math.min(Math.max(0, state.cursor), chars.length);
  const make = (next: string[], cursor: number): LineState => ({ text: next.join(""), cursor });
  if (key.leftArrow) return make(chars, Math.max(0, at - 1));
  if (key.rightArrow) return make(chars, Math.min(chars.length, at + 1));
  if (key.home || (key.ctrl && input === "a")) return make(chars, 0);
  if (key.end || (key.ctrl && input === "e")) return make(chars, chars.length);
  // Terminals send DEL (0x7f) for the Backspace key, which Ink reports as `delete`.
  if (key.backspace || key.delete) {
    if (at === 0) return make(chars, 0);
    return make([...chars.slice(0, at - 1), ...chars.slice(at)], at - 1);
  }
  if (key.ctrl && input === "d") return make([...chars.slice(0, at), ...chars.slice(at + 1)], at);
  if (key.ctrl && input === "u") return make(chars.slice(at), 0);
  if (key.ctrl && input === "k") return make(chars.slice(0, at), at);
  if (key.ctrl && input === "w") {
    let start = at;
    while (start > 0 && chars[start - 1] === " ") start--;
    while (start > 0 && chars[start - 1] !== " ") start--;
    return make([...chars.slice(0, start), ...chars.slice(at)], start);
  }
  if (key.ctrl || key.meta || key.return || key.tab || key.escape || key.upArrow || key.downArrow)
    return undefined;
  if (key.pageUp || key.pageDown) return undefined;
  // Printable input (a paste arrives as one chunk); newlines become spaces on one line.
  const typed = [...input.replace(/[\r\n]+/g, " ")].filter((c) => c >= " " && c !== "\x7f");
  if (typed.length === 0) return undefined;
  return make([...chars.slice(0, at), ...typed, ...chars.slice(at)], at + typed.length);
}

/**
 * The part of a line shown in `width` columns with the cursor kept in view: what comes before
 * the cursor, the character under it, and what follows.
 */
export function visibleLine(
  state: LineState,
  width: number,
): { before: string; at: string; after: string } {
  const chars = [...state.text];
  const cursor = Math.min(state.cursor, chars.length);
  const room = Math.max(1, width);
  const start = Math.max(0, cursor - room + 1);
  const shown = chars.slice(start, start + room);
  const rel = cursor - start;
  return {
    before: shown.slice(0, rel).join(""),
    at: shown[rel] ?? " ",
    after: shown.slice(rel + 1, room).join(""),
  };
}
