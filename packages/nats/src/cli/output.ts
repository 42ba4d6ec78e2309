/**
 * Printing for cpipe's NATS commands, in cpipe's forms: a stream's text inline as it arrives,
 * a one-shot reply as its event name (no fields), its one field's value, or its fields as JSON;
 * with `--jsonl`, every message as one JSON line. Errors are `cpipe: <line>` on stderr.
 */
import type { EventMessage } from "named-pipe-tools";

/** Writes `cpipe: <line>` to stderr. */
export function printError(line: string): void {
  process.stderr.write(`cpipe: ${line}\n`);
}

/** A reply readably: its event name, its one field's value, or its fields as JSON. */
export function readable(msg: EventMessage): string {
  const { event, id: _id, done: _done, ...fields } = msg;
  const keys = Object.keys(fields);
  if (keys.length === 0) return event;
  const value = keys.length === 1 ? fields[keys[0]!] : fields;
  if (typeof value === "string") return value;
  const flat = JSON.stringify(value);
  return flat.length <= 100 ? flat : JSON.stringify(value, null, 2);
}

/** Prints one request's messages as they arrive. */
export class Printer {
  readonly #jsonl: boolean;
  readonly #out: (text: string) => void;
  /** Streamed text left a line open. */
  #open = false;
  #streamed = false;

  constructor(jsonl: boolean, out: (text: string) => void = (t) => void process.stdout.write(t)) {
    this.#jsonl = jsonl;
    this.#out = out;
  }

  #text(text: unknown): boolean {
    if (typeof text !== "string") return false;
    if (text !== "") {
      this.#out(text);
      this.#open = !text.endsWith("\n");
    }
    return true;
  }

  /** A stream item. */
  item(msg: EventMessage): void {
    this.#streamed = true;
    if (this.#jsonl) return this.#out(`${JSON.stringify(msg)}\n`);
    if (this.#text(msg["text"])) return;
    this.endLine();
    this.#out(`${msg.event}: ${readable(msg)}\n`);
  }

  /** The final reply. */
  final(msg: EventMessage): void {
    if (this.#jsonl) return this.#out(`${JSON.stringify(msg)}\n`);
    if (msg.done === true) {
      this.#text(msg["text"]);
      if (this.#open || !this.#streamed) this.#out("\n");
      this.#open = false;
      return;
    }
    this.endLine();
    this.#out(`${readable(msg)}\n`);
  }

  /** Ends an open line of streamed text. */
  endLine(): void {
    if (this.#open) this.#out("\n");
    this.#open = false;
  }
}
