/**
 * Download progress for people: one updating line on a terminal, else a line every 10% (and at
 * most every 5 s without one), so logs stay short.
 */
import { formatSize } from "./spec.js";

/** A progress report. */
export interface Progress {
  /** The model being fetched. */
  name: string;
  /** Bytes on disk so far (resumed bytes included). */
  received: number;
  /** Total bytes, when the server says. */
  total: number | undefined;
  /** Bytes per second over the transfer so far. */
  rate: number;
}

/** One progress line. */
export function progressLine(p: Progress): string {
  const pct = p.total ? ` ${Math.floor((p.received / p.total) * 100)}%` : "";
  const of = p.total ? ` of ${formatSize(p.total)}` : "";
  return `downloading ${p.name}:${pct} ${formatSize(p.received)}${of}, ${formatSize(p.rate)}/s`;
}

/** A progress callback that writes to `out` (stderr by default). */
export function printProgress(out: NodeJS.WriteStream = process.stderr): (p: Progress) => void {
  let lastPct = -10;
  let lastAt = 0;
  return (p) => {
    const pct = p.total ? (p.received / p.total) * 100 : 0;
    const now = Date.now();
    if (out.isTTY) {
      out.write(`\r${progressLine(p)}\x1b[K`);
      if (p.total !== undefined && p.received >= p.total) out.write("\n");
      return;
    }
    const done = p.total !== undefined && p.received >= p.total;
    if (done || pct - lastPct >= 10 || now - lastAt >= 5000) {
      lastPct = pct;
      lastAt = now;
      out.write(`${progressLine(p)}\n`);
    }
  };
}
