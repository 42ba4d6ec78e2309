/**
 * Calls made from the dashboard: each one runs as a stream (a one-shot reply is a stream of
 * one), so a streaming command shows its items as they arrive. Cancelling sends `cancel` for
 * the request and waits for the server to end it with its own `cancelled` error, so what the
 * screen says is what the server did; only a server that never answers is given up on locally.
 * The history keeps every call, re-runnable and printable as the equivalent cpipe command line.
 */
import type { EventMessage, ToolClient } from "named-pipe-tools";
import {
  PipeToolError,
  RemoteError,
  defaultPipeDir,
  isTerminal,
  shellWord,
} from "named-pipe-tools";
import { Store } from "./store.js";

/** Where a call stands. */
export type CallStatus = "running" | "done" | "error" | "cancelled";

/** One call and what came back. */
export interface CallRecord {
  /** 1, 2, ... in the order they were made. */
  seq: number;
  tool: string;
  dir: string;
  cmd: string;
  args: Readonly<Record<string, unknown>>;
  status: CallStatus;
  startedAt: number;
  /** When the first reply message arrived. */
  firstAt?: number;
  endedAt?: number;
  /** Stream items received (`done:false`). */
  items: number;
  /** The `text` fields of the messages, joined (the last {@link TEXT_LIMIT} characters). */
  text: string;
  /** The last messages received, oldest first (at most {@link MESSAGE_LIMIT}). */
  messages: readonly EventMessage[];
  /** The final reply. */
  final?: EventMessage;
  error?: string;
  /** What the server said about a cancel. */
  note?: string;
}

/** Characters of streamed text kept per call. */
export const TEXT_LIMIT = 64 * 1024;
/** Messages kept per call. */
export const MESSAGE_LIMIT = 500;
/** Calls kept in the history. */
export const HISTORY_LIMIT = 200;
/** How long to wait for the server to end a cancelled request before giving up on it, in ms. */
export const CANCEL_GRACE_MS = 3000;
/** No timeout for the first reply: the user ends a call that takes too long with Esc. */
const NO_TIMEOUT_MS = 2_147_483_647;

interface Running {
  client: ToolClient;
  requestId: number | string;
  abort: AbortController;
}

/** The history of calls, newest last. */
export class CallLog extends Store<{ calls: readonly CallRecord[] }> {
  readonly #records: CallRecord[] = [];
  readonly #running = new Map<number, Running>();
  readonly #done = new Map<number, Promise<CallRecord>>();
  #nextSeq = 1;

  constructor() {
    super({ calls: [] });
  }

  /** Starts a call of `cmd` on `client`; resolves with its record once it has ended. */
  run(
    client: ToolClient,
    dir: string,
    cmd: string,
    args: Record<string, unknown>,
  ): { seq: number; done: Promise<CallRecord> } {
    const seq = this.#nextSeq++;
    const record: CallRecord = {
      seq,
      tool: client.name,
      dir,
      cmd,
      args,
      status: "running",
      startedAt: Date.now(),
      items: 0,
      text: "",
      messages: [],
    };
    this.#records.push(record);
    if (this.#records.length > HISTORY_LIMIT)
      this.#records.splice(0, this.#records.length - HISTORY_LIMIT);
    this.#publish();
    const done = this.#consume(client, record);
    this.#done.set(seq, done);
    void done.finally(() => this.#done.delete(seq));
    return { seq, done };
  }

  async #consume(client: ToolClient, record: CallRecord): Promise<CallRecord> {
    const abort = new AbortController();
    try {
      const stream = client.stream(
        record.cmd,
        { ...record.args },
        { timeoutMs: NO_TIMEOUT_MS, signal: abort.signal },
      );
      this.#running.set(record.seq, { client, requestId: stream.id, abort });
      for await (const msg of stream) this.#onMessage(record, msg);
      this.#finish(record, { status: "done" });
    } catch (err) {
      if (err instanceof RemoteError && err.remoteCode === "cancelled") {
        this.#finish(record, {
          status: "cancelled",
          error: `the server cancelled it: ${err.message}`,
        });
      } else if (err instanceof PipeToolError && err.code === "EABORTED") {
        this.#finish(record, {
          status: "cancelled",
          error: "given up: the server did not confirm the cancel",
        });
      } else {
        this.#finish(record, { status: "error", error: (err as Error).message });
      }
    } finally {
      this.#running.delete(record.seq);
    }
    return record;
  }

  #onMessage(record: CallRecord, msg: EventMessage): void {
    record.firstAt ??= Date.now();
    const messages = [...record.messages, msg];
    if (messages.length > MESSAGE_LIMIT) messages.splice(0, messages.length - MESSAGE_LIMIT);
    record.messages = messages;
    if (typeof msg["text"] === "string" && msg["text"] !== "") {
      record.text = (record.text + msg["text"]).slice(-TEXT_LIMIT);
    }
    if (isTerminal(msg)) record.final = msg;
    else record.items++;
    this.#publish();
  }

  #finish(record: CallRecord, patch: Pick<CallRecord, "status"> & { error?: string }): void {
    Object.assign(record, patch, { endedAt: Date.now() });
    this.#publish();
  }

  /**
   * Cancels a running call on the server: sends `cancel` for its request and waits for the
   * server to end it; gives up locally after {@link CANCEL_GRACE_MS}.
   */
  async cancel(seq: number): Promise<void> {
    const running = this.#running.get(seq);
    const record = this.#records.find((r) => r.seq === seq);
    if (running === undefined || record === undefined) return;
    record.note = "cancel sent";
    this.#publish();
    const giveUp = setTimeout(() => running.abort.abort(), CANCEL_GRACE_MS);
    try {
      const reply = await running.client.call(
        "cancel",
        { target: running.requestId },
        { timeoutMs: CANCEL_GRACE_MS },
      );
      const n = typeof reply["cancelled"] === "number" ? reply["cancelled"] : 0;
      record.note = `server: cancelled ${n} request${n === 1 ? "" : "s"}`;
    } catch (err) {
      record.note = `cancel failed: ${(err as Error).message}`;
      running.abort.abort();
    }
    this.#publish();
    // The stream ends with the server's own `cancelled` error (or, past the grace, locally).
    await this.#done.get(seq);
    clearTimeout(giveUp);
  }

  /** Whether call `seq` is still running. */
  isRunning(seq: number): boolean {
    return this.#running.has(seq);
  }

  #publish(): void {
    this.setState({ calls: this.#records.map((r) => ({ ...r })) });
  }
}

/**
 * The cpipe command line that makes the same call: `cpipe [--dir DIR] TOOL CMD [-j ARGS]`,
 * with `-t 0` when the first reply took longer than cpipe's default timeout would wait.
 */
export function cpipeCommandLine(record: CallRecord, defaultDir = defaultPipeDir()): string {
  const words = ["cpipe"];
  if (record.dir !== defaultDir) words.push("--dir", shellWord(record.dir));
  words.push(shellWord(record.tool), shellWord(record.cmd));
  if (Object.keys(record.args).length > 0) words.push("-j", shellWord(JSON.stringify(record.args)));
  if (record.firstAt !== undefined && record.firstAt - record.startedAt > 4000)
    words.push("-t", "0");
  return words.join(" ");
}
