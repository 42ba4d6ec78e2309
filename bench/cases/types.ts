/**
 * What a bench case is: a name, a group, and one measured round.
 */

/** One round's numbers (or the medians over rounds); absent where they do not apply. */
export interface Result {
  p50_us?: number;
  p99_us?: number;
  mean_us?: number;
  ops_per_s?: number;
  mb_per_s?: number;
  /** Where the time of one operation goes, ms per part (medians; the voice loop's breakdown). */
  parts_ms?: Record<string, number>;
}

/** Families of cases, which the table, the ratios and the chart keep together. */
export type Group =
  | "latency"
  | "latency-pinned"
  | "stream"
  | "clients"
  | "bulk"
  | "broadcast"
  | "startup"
  | "model"
  | "voice";

/** What a round gets. */
export interface RoundContext {
  /** The short (`--quick`) version. */
  quick: boolean;
  /** A fresh empty directory for this round's pipes and sockets. */
  dir: string;
}

/** One benchmark case. */
export interface BenchCase {
  name: string;
  group: Group;
  /** True for the library's own cases (the others are what a user would use instead). */
  ours: boolean;
  /** What it measures, in a few words. */
  what: string;
  /** Too slow to set up for `--quick`, which leaves it out unless `--only` names it. */
  heavy?: boolean;
  /**
   * Runs once before the rounds, with a scratch directory that lives for the whole run.
   * Returns why the case cannot run on this machine, or undefined.
   */
  prepare?(workDir: string): Promise<string | undefined>;
  /** Measures one round. */
  round(ctx: RoundContext): Promise<Result>;
  /** Runs once after the last round (or a failure): stops processes kept across rounds. */
  finish?(): Promise<void>;
}
