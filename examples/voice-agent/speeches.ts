/**
 * What the TTS server does with each speech (one sentence), as the agent sees it over the pipes:
 * when it started (`speech_start`), when its first audio frame arrived on the data channel, and
 * when and how it ended (`speech_end`).
 */
import type { ToolClient } from "named-pipe-tools";
import { decodeFrame } from "named-pipe-tools-tts";
import { now } from "./latency.js";

/** Speeches remembered at most. */
const MAX_TRACKED = 1000;

/** One speech's story, epoch ms. */
export interface SpeechInfo {
  id: number;
  text?: string;
  startAt?: number;
  firstFrameAt?: number;
  endAt?: number;
  cancelled?: boolean;
  /** Audio received, ms. */
  audioMs: number;
}

/** Tracks the TTS server's speeches by id. */
export class SpeechTracker {
  readonly #speeches = new Map<number, SpeechInfo>();
  readonly #waiters = new Map<number, (() => void)[]>();
  readonly #off: (() => void)[] = [];
  /** Called when a speech starts (after it is recorded). */
  onStart: (info: SpeechInfo) => void = () => undefined;

  /** Listens to `tts` (a client connected with its data channel). */
  constructor(tts: ToolClient) {
    this.#off.push(
      tts.on("speech_start", (msg) => {
        const info = this.get(Number(msg["speech_id"]));
        info.startAt ??= now();
        info.text = typeof msg["text"] === "string" ? msg["text"] : "";
        this.onStart(info);
      }),
      tts.on("speech_end", (msg) => {
        const info = this.get(Number(msg["speech_id"]));
        info.endAt ??= now();
        info.cancelled = msg["cancelled"] === true;
        for (const wake of this.#waiters.get(info.id) ?? []) wake();
        this.#waiters.delete(info.id);
      }),
      tts.onData((payload) => {
        const frame = decodeFrame(payload);
        if (frame === undefined || frame.pcm.length === 0) return;
        const info = this.get(frame.speechId);
        info.firstFrameAt ??= now();
        info.audioMs += (frame.pcm.length / 2 / frame.sampleRate) * 1000;
      }),
    );
  }

  /** The record of speech `id` (created empty when nothing is known of it yet). */
  get(id: number): SpeechInfo {
    let info = this.#speeches.get(id);
    if (info === undefined) {
      info = { id, audioMs: 0 };
      this.#speeches.set(id, info);
      // Speeches nobody forgets (another client's) must not pile up: drop the oldest.
      if (this.#speeches.size > MAX_TRACKED) {
        const oldest = this.#speeches.keys().next().value as number;
        this.#speeches.delete(oldest);
        this.#waiters.delete(oldest);
      }
    }
    return info;
  }

  /** The speech being spoken now (started, not ended), if any. */
  active(): SpeechInfo | undefined {
    let found: SpeechInfo | undefined;
    for (const info of this.#speeches.values()) {
      if (info.startAt !== undefined && info.endAt === undefined) found = info;
    }
    return found;
  }

  /** Resolves once speech `id` has ended (spoken, cut short or failed). */
  ended(id: number): Promise<SpeechInfo> {
    const info = this.get(id);
    if (info.endAt !== undefined) return Promise.resolve(info);
    return new Promise((resolve) => {
      const list = this.#waiters.get(id) ?? [];
      list.push(() => resolve(info));
      this.#waiters.set(id, list);
    });
  }

  /** Forgets speeches the agent is done with. */
  forget(ids: Iterable<number>): void {
    for (const id of ids) {
      this.#speeches.delete(id);
      this.#waiters.delete(id);
    }
  }

  /** Stops listening. */
  close(): void {
    for (const off of this.#off) off();
  }
}
