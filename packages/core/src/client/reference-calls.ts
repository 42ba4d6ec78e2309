/**
 * Calls to a server of the Python project (`compat: "reference"`), whose replies carry no
 * request id. A reply without an id is matched to the one call in flight, and only when it is
 * the event that call expects (where that is known) or an error; a broadcast never answers a
 * call. Calls are serialised: the next one is written only when the previous one has ended, so
 * an unknown command's reply or a stream's end can never be taken by another call.
 * Our servers echo the ids this client still sends, so with them every reply matches by id.
 */
import type { EventMessage, RequestId } from "../protocol/messages.js";

/**
 * The event that answers each command, where known: the built-ins, and the commands of the
 * Python project's ready-made servers (chat, tts, stt, ardy).
 */
const REPLIES: Readonly<Record<string, string>> = {
  subscribe: "subscribed",
  ping: "pong",
  get_state: "state",
  get_description: "description",
  get_help: "help",
  get_config: "config",
  list_interfaces: "interfaces",
  get_interface: "interface",
  chat_blocking: "reply",
  is_speaking: "is_speaking",
  list_devices: "devices",
  get_device: "device",
  set_device: "device",
  model_info: "model_info",
  tokenize: "tokenized",
  detokenize: "detokenized",
  requantize: "requantized",
  denoise: "denoised",
};

/** Events the Python project's servers only ever broadcast. */
const BROADCASTS: ReadonlySet<string> = new Set([
  "state_changed",
  "speech_start",
  "speech_end",
  "speech",
]);

/** Which messages without an id can answer a call to `cmd`. */
export function referenceAnswers(cmd: string): (msg: EventMessage) => boolean {
  const lower = cmd.toLowerCase();
  // The reference replies nothing to `stop`: it broadcasts that it is stopping, then exits.
  if (lower === "stop") {
    return (msg) =>
      msg.event === "error" || (msg.event === "state_changed" && msg["state"] === "stopping");
  }
  const expected = Object.hasOwn(REPLIES, lower) ? REPLIES[lower] : undefined;
  if (expected !== undefined) return (msg) => msg.event === expected || msg.event === "error";
  return (msg) => !BROADCASTS.has(msg.event);
}

interface Waiting {
  /** Undefined for a message that expects no reply (`send`). */
  id: RequestId | undefined;
  cmd: string;
  /** Writes the line; throws when it cannot. */
  write: () => void;
}

/** The serialised calls of one reference-mode client. */
export class ReferenceCalls {
  readonly #onWriteError: (id: RequestId | undefined, err: unknown) => void;
  #current: { id: RequestId; answers: (msg: EventMessage) => boolean } | undefined;
  readonly #waiting: Waiting[] = [];
  #subscribeWritten = false;

  /**
   * `onWriteError` hears of a write that failed after its turn came (one that fails at once is
   * thrown by `submit`).
   */
  constructor(onWriteError: (id: RequestId | undefined, err: unknown) => void) {
    this.#onWriteError = onWriteError;
  }

  /** Whether a `subscribe` has been written (so the server may hold a subscription for us). */
  get subscribeWritten(): boolean {
    return this.#subscribeWritten;
  }

  /**
   * Writes a request now, or once the calls before it have ended. `id` undefined: a message
   * that gets no reply; it keeps its place in the order but holds nothing up.
   */
  submit(id: RequestId | undefined, cmd: string, write: () => void): void {
    const entry: Waiting = { id, cmd, write };
    this.#waiting.push(entry);
    this.#pump(entry);
  }

  /** The id of the call that `msg` (a message without an id) answers, if any. */
  route(msg: EventMessage): RequestId | undefined {
    return this.#current?.answers(msg) === true ? this.#current.id : undefined;
  }

  /** A call ended (answered, failed, timed out or aborted): the next one may go. */
  finished(id: RequestId): void {
    if (this.#current?.id === id) this.#current = undefined;
    const at = this.#waiting.findIndex((w) => w.id === id);
    if (at !== -1) this.#waiting.splice(at, 1);
    this.#pump();
  }

  /**
   * Before leaving: writes the waiting messages that expect no reply and forgets the calls (they
   * fail when the client closes), so what comes next is written at once.
   */
  release(): void {
    this.#current = undefined;
    const sends = this.#waiting.splice(0).filter((w) => w.id === undefined);
    for (const w of sends) {
      try {
        this.#write(w);
      } catch (err) {
        this.#onWriteError(undefined, err);
      }
    }
  }

  /** Writes what may go now; a failure of `submitted` (the caller's own request) is thrown. */
  #pump(submitted?: Waiting): void {
    while (this.#current === undefined && this.#waiting.length > 0) {
      const next = this.#waiting.shift()!;
      if (next.id !== undefined) {
        this.#current = { id: next.id, answers: referenceAnswers(next.cmd) };
      }
      try {
        this.#write(next);
      } catch (err) {
        if (this.#current?.id === next.id) this.#current = undefined;
        if (next === submitted) throw err;
        this.#onWriteError(next.id, err);
      }
    }
  }

  #write(w: Waiting): void {
    w.write();
    if (w.cmd.toLowerCase() === "subscribe") this.#subscribeWritten = true;
  }
}
