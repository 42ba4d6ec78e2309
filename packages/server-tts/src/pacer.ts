/**
 * Real-time pacing: frames leave no earlier than `leadMs` before the moment they would be
 * heard, so a cancel stops the stream within a frame and clients need only a small buffer.
 * The clock runs on across sentences, so back-to-back sentences play without gaps.
 */
import { performance } from "node:perf_hooks";
import { setTimeout as delay } from "node:timers/promises";

/** Paces audio frames to real time (or not at all). */
export class Pacer {
  readonly leadMs: number;
  readonly realtime: boolean;
  /** performance.now() at which the audio sent so far finishes playing. */
  #playhead = 0;

  constructor(options: { leadMs: number; realtime: boolean }) {
    this.leadMs = options.leadMs;
    this.realtime = options.realtime;
  }

  /** When the audio sent so far will have finished playing (performance.now() time). */
  get playingUntil(): number {
    return this.#playhead;
  }

  /**
   * Waits until a frame of `frameMs` may be sent. Resolves false (at once) when `signal` aborts.
   */
  async next(frameMs: number, signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return false;
    const now = performance.now();
    if (this.#playhead < now) this.#playhead = now; // an underrun: the clock restarts
    const wait = this.#playhead - this.leadMs - now;
    if (this.realtime && wait > 1) {
      try {
        await delay(wait, undefined, { signal });
      } catch {
        return false;
      }
    }
    if (signal.aborted) return false;
    this.#playhead += frameMs;
    return true;
  }

  /** The audio was cut: nothing sent is still playing. */
  reset(): void {
    this.#playhead = performance.now();
  }
}
