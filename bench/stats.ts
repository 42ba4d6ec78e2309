/**
 * Summary statistics: percentiles (nearest rank on sorted samples), mean, median.
 */

/** The `q`-quantile (0..1) of `sorted` (ascending), nearest rank. NaN when empty. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil(q * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))]!;
}

/** Arithmetic mean. NaN when empty. */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** Median (the mean of the two middle values for an even count). NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Latency summary of one set of samples, in the samples' unit. */
export interface LatencySummary {
  p50: number;
  p99: number;
  mean: number;
}

/** p50, p99 and mean of `samples`. */
export function summarize(samples: readonly number[]): LatencySummary {
  const sorted = Float64Array.from(samples).sort();
  const arr = Array.from(sorted);
  return { p50: quantile(arr, 0.5), p99: quantile(arr, 0.99), mean: mean(arr) };
}
