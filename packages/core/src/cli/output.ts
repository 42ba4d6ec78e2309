/**
 * How cpipe prints what a tool sends: readable text by default, JSON lines with `--jsonl`.
 *
 * Readable form of a reply `{"event": E, ...fields}` (`id` left out):
 * - no fields: the event name (`pong`, `ok`);
 * - one field: its value (`get_state` prints `running`, `echo` prints the data);
 * - more: the fields as a JSON object.
 * Strings print as they are; other values as JSON, indented when they do not fit on one line.
 */
import type { EventMessage } from "../protocol/messages.js";

/** Widest JSON printed on one line before it is indented. */
const ONE_LINE_MAX = 100;

/** A message's fields besides `event`, `id` and `done`. */
export function payloadOf(msg: EventMessage): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(msg)) {
    if (key !== "event" && key !== "id" && key !== "done") out[key] = value;
  }
  return out;
}

/** One value, readably: strings raw, anything else as JSON (indented when long). */
export function formatValue(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === undefined) return "";
  const flat = JSON.stringify(value);
  if (flat.length <= ONE_LINE_MAX) return flat;
  return JSON.stringify(value, null, 2);
}

/** A reply, readably (see the module comment). */
export function formatReply(msg: EventMessage): string {
  const payload = payloadOf(msg);
  const keys = Object.keys(payload);
  if (keys.length === 0) return msg.event;
  if (keys.length === 1) return formatValue(payload[keys[0]!]);
  return formatValue(payload);
}

/** A broadcast, readably: `event` or `event: <reply form>`. */
export function formatBroadcast(msg: EventMessage): string {
  const keys = Object.keys(payloadOf(msg));
  return keys.length === 0 ? msg.event : `${msg.event}: ${formatReply(msg)}`;
}

/** Where output goes (stdout by default). */
export type Write = (text: string) => void;

/** Writes `text` plus a newline unless it already ends with one. */
export function writeLine(write: Write, text: string): void {
  write(text.endsWith("\n") ? text : `${text}\n`);
}

/**
 * Prints the messages of one request as they arrive: stream items with a `text` inline, other
 * items and the final reply on their own lines. In JSON-lines mode every message is one line.
 */
export class ReplyPrinter {
  readonly #write: Write;
  readonly #jsonl: boolean;
  /** A line of streamed text is open (needs a newline before anything else). */
  #open = false;
  #streamed = false;

  constructor(options: { jsonl: boolean; write?: Write }) {
    this.#jsonl = options.jsonl;
    this.#write = options.write ?? ((text) => process.stdout.write(text));
  }

  /** True once a stream item has arrived. */
  get streamed(): boolean {
    return this.#streamed;
  }

  /** A stream item (`done:false`). */
  item(msg: EventMessage): void {
    this.#streamed = true;
    if (this.#jsonl) {
      this.#write(`${JSON.stringify(msg)}\n`);
      return;
    }
    const text = msg["text"];
    if (typeof text === "string") {
      if (text !== "") {
        this.#write(text);
        this.#open = !text.endsWith("\n");
      }
      return;
    }
    this.endLine();
    writeLine(this.#write, formatBroadcast(msg));
  }

  /** The final reply (error replies included, in JSON-lines mode). */
  final(msg: EventMessage): void {
    if (this.#jsonl) {
      this.#write(`${JSON.stringify(msg)}\n`);
      return;
    }
    if (msg.done === true) {
      // End of a token stream: its text (usually empty) closes the streamed line.
      const text = msg["text"];
      if (typeof text === "string" && text !== "") {
        this.#write(text);
        this.#open = !text.endsWith("\n");
      }
      if (this.#open || !this.#streamed) this.#write("\n");
      this.#open = false;
      return;
    }
    this.endLine();
    writeLine(this.#write, formatReply(msg));
  }

  /** Ends an open line of streamed text (before an error message or on interrupt). */
  endLine(): void {
    if (!this.#open) return;
    this.#write("\n");
    this.#open = false;
  }
}
