/**
 * One turn of the conversation: the chat reply streams into the TTS as it comes (the TTS speaks
 * each sentence as soon as it is complete), with its timeline; and its interruption (barge-in),
 * which stops the speech and cancels the chat request on the servers.
 */
import { setTimeout as delay } from "node:timers/promises";
import type { EventMessage, ToolClient, ToolStream } from "named-pipe-tools";
import { RemoteError } from "named-pipe-tools";
import type { TurnMarks } from "./latency.js";
import { now, round } from "./latency.js";
import type { SpeechTracker } from "./speeches.js";

/** A chat message, as the chat server takes it. */
export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/** What a turn works with. */
export interface TurnDeps {
  chat: ToolClient;
  tts: ToolClient;
  speeches: SpeechTracker;
  maxTokens: number;
  /** Longest the turn may take, ms. */
  timeoutMs: number;
  /**
   * How long audio may still play after the TTS's last `speech_end` (it sends frames ahead of
   * real time, and the player buffers), ms. The turn can be interrupted until then.
   */
  tailMs: number;
  /** Each piece of the reply as it streams. */
  onText?: (text: string) => void;
}

/** What a barge-in did, ms after the STT's `speech_start` reached the agent. */
export interface BargeIn {
  /** When the STT's `speech_start` arrived (epoch ms). */
  at: number;
  /** The TTS's reply to `stop_speaking` arrived. */
  tts_stopped_ms?: number;
  /** Speeches the TTS cancelled. */
  tts_cancelled?: number;
  /** The TTS's `speech_end` (cancelled) of the sentence cut short arrived. */
  speech_end_ms?: number;
  /** Whether the chat request was still generating. */
  chat_running: boolean;
  /** The chat server's reply to `cancel` arrived. */
  chat_cancelled_ms?: number;
  /** Requests the chat server cancelled (1: it was generating and stopped). */
  chat_cancelled?: number;
  /** Extra `stop_speaking` calls for speech queued around the interruption. */
  late_stops: number;
  /** Loopback: the last audio the speaker played after the speech start (from its recording). */
  playback_stopped_ms?: number;
}

/** One user utterance and the agent's reply. */
export class Turn {
  readonly marks: TurnMarks;
  /** The speeches (sentences) the TTS queued for this reply, in order. */
  readonly ids: number[] = [];
  /** The reply as generated. */
  reply = "";
  finishReason: string | undefined;
  usage: Record<string, unknown> | undefined;
  bargeIn: BargeIn | undefined;
  readonly #deps: TurnDeps;
  readonly #messages: ChatMessage[];
  #stream: ToolStream | undefined;
  #chatDone = false;
  #finished = false;
  #pending = "";
  #inFlight: Promise<void> | undefined;
  #ttsError: Error | undefined;
  #stopped: Promise<void> = Promise.resolve();
  #wake: () => void = () => undefined;
  readonly #interrupted = new Promise<void>((resolve) => (this.#wake = resolve));

  constructor(deps: TurnDeps, messages: ChatMessage[], marks: TurnMarks) {
    this.#deps = deps;
    this.#messages = messages;
    this.marks = marks;
  }

  /** Whether the turn is over (replied, interrupted or failed). */
  get finished(): boolean {
    return this.#finished;
  }

  /** The sentences the TTS started speaking, in order (what the user heard, or began to). */
  spoken(): string[] {
    return this.ids
      .map((id) => this.#deps.speeches.get(id))
      .filter((s) => s.startAt !== undefined)
      .map((s) => s.text ?? "");
  }

  /**
   * Runs the turn: streams the reply into the TTS and resolves once it has been spoken (or
   * interrupted). Rejects when a server fails or the turn times out (its speech and request
   * are then stopped).
   */
  async run(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`the turn took over ${this.#deps.timeoutMs} ms`)),
        this.#deps.timeoutMs,
      );
    });
    try {
      await Promise.race([this.#run(), timeout]);
    } catch (err) {
      if (this.bargeIn === undefined) this.#halt(undefined); // stop what is left of it
      throw err;
    } finally {
      clearTimeout(timer);
      this.#finished = true;
      this.#fillMarks();
    }
  }

  async #run(): Promise<void> {
    const { chat, speeches, maxTokens, timeoutMs } = this.#deps;
    this.marks.request = now();
    const stream = chat.stream(
      "chat",
      { messages: this.#messages, max_tokens: maxTokens },
      { timeoutMs },
    );
    this.#stream = stream;
    try {
      for await (const msg of stream) this.#onChat(msg);
    } catch (err) {
      const cancelled = err instanceof RemoteError && err.remoteCode === "cancelled";
      if (!(cancelled && this.bargeIn !== undefined)) throw err;
    } finally {
      this.#chatDone = true;
    }
    // Each step is skipped once the user has interrupted (the stop dropped the TTS's text).
    const going = (): boolean => this.bargeIn === undefined;
    if (going()) await this.#drain();
    if (going()) await this.#queue("flush", {});
    if (going()) {
      const allEnded = Promise.all(this.ids.map((id) => speeches.ended(id)));
      await Promise.race([allEnded, this.#interrupted]);
      if (this.#ttsError !== undefined) throw this.#ttsError;
    }
    // The last frames are still in the player: an interruption may still stop them.
    if (going()) {
      await Promise.race([delay(this.#deps.tailMs, undefined, { ref: false }), this.#interrupted]);
    }
    await this.#stopped;
  }

  #onChat(msg: EventMessage): void {
    if (msg.done === true) {
      this.finishReason = typeof msg["finish_reason"] === "string" ? msg["finish_reason"] : "";
      if (typeof msg["usage"] === "object" && msg["usage"] !== null) {
        this.usage = msg["usage"] as Record<string, unknown>;
      }
      return;
    }
    const text = typeof msg["text"] === "string" ? msg["text"] : "";
    if (text === "") return;
    this.marks.firstToken ??= now();
    this.reply += text;
    this.#deps.onText?.(text);
    if (this.bargeIn !== undefined) return;
    this.#pending += text;
    this.#pump();
  }

  /** Sends the text gathered so far, one `text` call at a time (tokens that arrive meanwhile wait and go together). */
  #pump(): void {
    if (this.#inFlight !== undefined || this.#pending === "" || this.bargeIn !== undefined) return;
    const data = this.#pending;
    this.#pending = "";
    this.#inFlight = this.#queue("text", { data })
      .catch((err: unknown) => void (this.#ttsError ??= err as Error))
      .finally(() => {
        this.#inFlight = undefined;
        this.#pump();
      });
  }

  async #drain(): Promise<void> {
    while (this.#inFlight !== undefined) await this.#inFlight;
    if (this.#ttsError !== undefined) throw this.#ttsError;
  }

  /** A `text` or `flush` call; its reply names the speeches it queued. */
  async #queue(cmd: "text" | "flush", args: Record<string, unknown>): Promise<void> {
    const reply = await this.#deps.tts.call(cmd, args, { timeoutMs: this.#deps.timeoutMs });
    const ids = Array.isArray(reply["speech_ids"]) ? (reply["speech_ids"] as number[]) : [];
    this.ids.push(...ids);
    const b = this.bargeIn;
    // Text that reached the TTS around the interruption may have been queued after the stop.
    if (b !== undefined && ids.some((id) => this.#deps.speeches.get(id).endAt === undefined)) {
      b.late_stops++;
      await this.#deps.tts.call("stop_speaking", {}, { timeoutMs: this.#deps.timeoutMs });
    }
  }

  /**
   * Barge-in: stops the speech (`stop_speaking`, which silences the player at once) and, when
   * it is still generating, cancels the chat request on the server (`cancel {target}`). Both are
   * written at once; `at` is when the STT's `speech_start` arrived. No-op once finished.
   */
  interrupt(at: number): void {
    if (this.bargeIn !== undefined || this.#finished) return;
    this.bargeIn = { at, chat_running: !this.#chatDone, late_stops: 0 };
    this.#halt(this.bargeIn);
    this.#wake();
  }

  /** Stops the speech and the chat request on the servers; records the replies in `b`. */
  #halt(b: BargeIn | undefined): void {
    const { tts, chat, speeches, timeoutMs } = this.#deps;
    const at = b?.at ?? now();
    const cut = speeches.active();
    const stop = tts.call("stop_speaking", {}, { timeoutMs }).then((r) => {
      if (b === undefined) return;
      b.tts_stopped_ms = round(now() - at);
      b.tts_cancelled = Number(r["cancelled"] ?? 0);
    });
    const stream = this.#stream;
    const cancel =
      stream === undefined || this.#chatDone
        ? undefined
        : chat.call("cancel", { target: stream.id }, { timeoutMs }).then((r) => {
            if (b === undefined) return;
            b.chat_cancelled_ms = round(now() - at);
            b.chat_cancelled = Number(r["cancelled"] ?? 0);
          });
    const ended =
      cut === undefined || b === undefined
        ? undefined
        : Promise.race([speeches.ended(cut.id), delay(2000, undefined, { ref: false })]).then(
            () => {
              if (cut.endAt !== undefined) b.speech_end_ms = round(cut.endAt - at);
            },
          );
    this.#stopped = Promise.all([stop, cancel, ended]).then(() => undefined);
    this.#stopped.catch(() => undefined); // awaited by run(); a failed turn does not get there
  }

  /** The moments only known once the speeches are: the first sentence and its first frame. */
  #fillMarks(): void {
    const infos = this.ids.map((id) => this.#deps.speeches.get(id));
    const started = infos.filter((s) => s.startAt !== undefined);
    this.marks.firstSentence = started[0]?.startAt;
    const frames = infos.map((s) => s.firstFrameAt).filter((t): t is number => t !== undefined);
    this.marks.firstFrame = frames.length === 0 ? undefined : Math.min(...frames);
    this.marks.audioOut ??= this.marks.firstFrame;
    this.marks.audioOutFrom ??= this.marks.firstFrame === undefined ? undefined : "frame";
  }
}
