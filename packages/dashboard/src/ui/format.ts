/**
 * Short human forms of durations, latencies, times and JSON for narrow columns.
 */

/** `42s`, `3m12s`, `1h02m`, `2d03h`. */
export function formatUptime(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, "0")}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h${String(m % 60).padStart(2, "0")}m`;
  return `${Math.floor(h / 24)}d${String(h % 24).padStart(2, "0")}h`;
}

/** `0.42ms`, `12ms`, `1.2s`. */
export function formatMs(ms: number): string {
  if (ms < 10) return `${ms.toFixed(2)}ms`;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  return `${(ms / 1000).toFixed(1)}s`;
}

/** `HH:MM:SS` local time. */
export function clock(at: number): string {
  const d = new Date(at);
  return [d.getHours(), d.getMinutes(), d.getSeconds()]
    .map((n) => String(n).padStart(2, "0"))
    .join(":");
}

/** A message's fields without the protocol's bookkeeping, as compact JSON. */
export function messageFields(msg: Record<string, unknown>): string {
  const { event: _e, id: _i, done: _d, ...rest } = msg;
  return Object.keys(rest).length === 0 ? "" : JSON.stringify(rest);
}

/** Text on one line (newlines and tabs shown as spaces). */
export function oneLine(text: string): string {
  return text.replace(/[\r\n\t]+/g, " ");
}
