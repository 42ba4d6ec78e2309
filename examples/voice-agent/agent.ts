/**
 * The voice agent: listens to the STT server's utterances, answers each with a chat request
 * whose reply streams into the TTS server, keeps the conversation, and interrupts the reply
 * when the user starts speaking over it (barge-in). Every hop is a pipe.
 */
import type { EventMessage, ToolClient } from "named-pipe-tools";
import type { TurnMarks } from "./latency.js";
import { now } from "./latency.js";
import type { SpeechTracker } from "./speeches.js";
import type { BargeIn, ChatMessage } from "./turn.js";
import { Turn } from "./turn.js";

/** The three servers, connected (the TTS with its data channel). */
export interface AgentClients {
  stt: ToolClient;
  chat: ToolClient;
  tts: ToolClient;
}

/** How the agent converses. */
export interface AgentSettings {
  system: string;
  maxTokens: number;
  bargeIn: boolean;
  turnTimeoutMs: number;
  /** See {@link TurnDeps.tailMs}. */
  tailMs: number;
  /** The STT source the agent listens to ["mic"]. */
  source?: string;
}

/** A finished turn, as the agent reports it. */
export interface TurnReport {
  turn: number;
  transcript: string;
  reply: string;
  /** The sentences the TTS started speaking. */
  spoken: string[];
  interrupted: boolean;
  finish_reason?: string;
  usage?: Record<string, unknown>;
  error?: string;
  marks: TurnMarks;
  barge_in?: BargeIn;
  /** When the turn finished, epoch ms. */
  endedAt: number;
}

/** What the agent tells its user interface. */
export interface AgentHooks {
  log: (line: string) => void;
  /** The STT ended an utterance (`text` may be empty: nothing recognised). */
  onUtterance?(text: string): void;
  /** A piece of the reply as it streams. */
  onReplyText?(text: string): void;
  onTurn(report: TurnReport): void;
}

/** Conversation messages kept (older ones are dropped so the context never overflows). */
const MAX_HISTORY = 20;

/** Runs the conversation over three connected servers. */
export class VoiceAgent {
  readonly #c: AgentClients;
  readonly #s: AgentSettings;
  readonly #h: AgentHooks;
  readonly #speeches: SpeechTracker;
  readonly #history: ChatMessage[] = [];
  readonly #off: (() => void)[] = [];
  #current: Turn | undefined;
  #chain: Promise<void> = Promise.resolve();
  #count = 0;
  #closed = false;

  constructor(
    clients: AgentClients,
    speeches: SpeechTracker,
    settings: AgentSettings,
    hooks: AgentHooks,
  ) {
    this.#c = clients;
    this.#speeches = speeches;
    this.#s = settings;
    this.#h = hooks;
  }

  /** Starts listening to the STT server's events. */
  start(): void {
    const { stt } = this.#c;
    const mine = (msg: EventMessage): boolean => msg["source"] === (this.#s.source ?? "mic");
    this.#off.push(
      stt.on("speech_start", (msg) => {
        if (!mine(msg)) return;
        const at = now();
        const turn = this.#current;
        if (this.#s.bargeIn && turn !== undefined && !turn.finished) turn.interrupt(at);
      }),
      stt.on("speech_end", (msg) => {
        if (mine(msg)) this.#onUtterance(msg);
      }),
      stt.on("stt_error", (msg) => this.#h.log(`stt error: ${String(msg["message"])}`)),
    );
  }

  /** Resolves once every turn so far has finished. */
  idle(): Promise<void> {
    return this.#chain;
  }

  /** Stops listening and interrupts the reply in progress. */
  close(): void {
    this.#closed = true;
    for (const off of this.#off) off();
    this.#current?.interrupt(now());
  }

  #onUtterance(msg: EventMessage): void {
    const transcript = now();
    const text = typeof msg["text"] === "string" ? msg["text"].trim() : "";
    this.#h.onUtterance?.(text);
    if (text === "") {
      this.#h.log(`(nothing recognised: ${JSON.stringify(msg["reason"] ?? "?")})`);
      return;
    }
    const endDelay = typeof msg["end_delay_ms"] === "number" ? msg["end_delay_ms"] : undefined;
    const decode = typeof msg["decode_ms"] === "number" ? msg["decode_ms"] : undefined;
    const marks: TurnMarks = {
      transcript,
      ...(endDelay === undefined
        ? {}
        : { speechEnd: transcript - endDelay, speechEndFrom: "stt", sttEndDelayMs: endDelay }),
      ...(decode === undefined ? {} : { sttDecodeMs: decode }),
    };
    this.#chain = this.#chain
      .then(() => (this.#closed ? undefined : this.#turn(text, marks)))
      .catch((err: unknown) => this.#h.log(`turn failed: ${(err as Error).message}`));
  }

  async #turn(text: string, marks: TurnMarks): Promise<void> {
    const index = ++this.#count;
    const messages: ChatMessage[] = [
      { role: "system", content: this.#s.system },
      ...this.#history.slice(-MAX_HISTORY),
      { role: "user", content: text },
    ];
    const turn = new Turn(
      {
        chat: this.#c.chat,
        tts: this.#c.tts,
        speeches: this.#speeches,
        maxTokens: this.#s.maxTokens,
        timeoutMs: this.#s.turnTimeoutMs,
        tailMs: this.#s.tailMs,
        onText: (t) => this.#h.onReplyText?.(t),
      },
      messages,
      marks,
    );
    this.#current = turn;
    let error: string | undefined;
    try {
      await turn.run();
    } catch (err) {
      error = (err as Error).message;
    }
    const spoken = turn.spoken();
    this.#speeches.forget(turn.ids);
    // What the user heard stays in the conversation; an interrupted reply only as far as it got.
    const said = turn.bargeIn === undefined ? turn.reply.trim() : spoken.join(" ");
    this.#history.push({ role: "user", content: text });
    if (said !== "") this.#history.push({ role: "assistant", content: said });
    this.#h.onTurn({
      turn: index,
      transcript: text,
      reply: turn.reply,
      spoken,
      interrupted: turn.bargeIn !== undefined,
      ...(turn.finishReason === undefined ? {} : { finish_reason: turn.finishReason }),
      ...(turn.usage === undefined ? {} : { usage: turn.usage }),
      ...(error === undefined ? {} : { error }),
      marks: turn.marks,
      ...(turn.bargeIn === undefined ? {} : { barge_in: turn.bargeIn }),
      endedAt: now(),
    });
  }
}
