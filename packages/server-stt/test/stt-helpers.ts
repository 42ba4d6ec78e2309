/**
 * Helpers for the STT tests: speech made with the espeak-ng program, word error rate, waiting
 * for broadcasts (never sleeping).
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import type { EventMessage, ToolClient } from "named-pipe-tools";
import { readWavFile } from "../src/audio/wav.js";
import { needs } from "named-pipe-tools-testkit";

const run = promisify(execFile);

/** A skip reason naming the missing programs and their packages, else undefined. */
export async function skipUnless(...programs: string[]): Promise<string | undefined> {
  return needs(...programs) || undefined;
}

/** Speaks `text` with espeak-ng (its default English voice) into `<dir>/<name>.wav`; returns the path. */
export async function speakToFile(dir: string, name: string, text: string): Promise<string> {
  const file = path.join(dir, `${name}.wav`);
  await run("espeak-ng", ["-w", file, text]);
  return file;
}

/** Speaks `text` and returns 16 kHz mono s16 samples. */
export async function speak(dir: string, name: string, text: string): Promise<Int16Array> {
  return readWavFile(await speakToFile(dir, name, text));
}

/** `ms` of silence at 16 kHz. */
export function silence(ms: number): Int16Array {
  return new Int16Array(Math.round(ms * 16));
}

/** Joins sample arrays. */
export function concatSamples(...parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Little-endian bytes of samples. */
export function bytesOf(samples: Int16Array): Buffer {
  return Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
}

/** Word error rate: word-level edit distance over the reference's word count. */
export function wordErrorRate(reference: string, hypothesis: string): number {
  const ref = reference.toLowerCase().split(/\s+/).filter(Boolean);
  const hyp = hypothesis.toLowerCase().split(/\s+/).filter(Boolean);
  let prev = Array.from({ length: hyp.length + 1 }, (_, j) => j);
  for (let i = 1; i <= ref.length; i++) {
    const cur = [i];
    for (let j = 1; j <= hyp.length; j++) {
      const sub = (prev[j - 1] ?? 0) + (ref[i - 1] === hyp[j - 1] ? 0 : 1);
      cur.push(Math.min(sub, (prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1));
    }
    prev = cur;
  }
  return ref.length === 0 ? 0 : (prev[hyp.length] ?? 0) / ref.length;
}

/** Records every broadcast a client receives. */
export class EventLog {
  readonly events: EventMessage[] = [];
  readonly #waiters = new Set<() => void>();

  constructor(client: ToolClient) {
    client.on("*", (msg) => {
      this.events.push(msg);
      for (const w of this.#waiters) w();
    });
  }

  /** The events named `name` (optionally from `source`). */
  named(name: string, source?: string): EventMessage[] {
    return this.events.filter(
      (e) => e.event === name && (source === undefined || e["source"] === source),
    );
  }

  /** Resolves once `predicate()` holds, re-checking on each event; rejects after `ms`. */
  until(predicate: () => boolean, ms: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!predicate()) return;
        this.#waiters.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(
          new Error(
            `timed out waiting for ${what}; events: ${JSON.stringify(this.events.map((e) => [e.event, e["text"] ?? e["state"]]))}`,
          ),
        );
      }, ms);
      this.#waiters.add(check);
      check();
    });
  }
}
