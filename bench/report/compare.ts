/**
 * Ratios against our own cases, and the targets we aim at (reported, never asserted).
 */
import type { Result } from "../cases/types.js";

/** Final results by case name. */
export type ResultMap = ReadonlyMap<string, Result>;

type Metric = "p50_us" | "ops_per_s" | "mb_per_s";

/** One comparison of another case against ours. */
export interface Comparison {
  other: string;
  ours: string;
  metric: Metric;
  /** How many times better ours is (>1: ours faster). */
  factor: number;
  /** e.g. "mcp-stdio / tool-call-ping (p50) = 4.1x". */
  text: string;
}

/** Which of our cases, and which metric, each other case is compared with. */
const COUNTERPARTS: Record<string, [string, Metric]> = {
  "fifo-raw": ["tool-call-ping", "p50_us"],
  "c-fifo": ["tool-call-ping", "p50_us"],
  uds: ["tool-call-ping", "p50_us"],
  "http-keepalive": ["tool-call-ping", "p50_us"],
  "mcp-stdio": ["tool-call-ping", "p50_us"],
  "stream-fifo-raw": ["stream-ours", "ops_per_s"],
  "stream-uds": ["stream-ours", "ops_per_s"],
  "stream-sse": ["stream-ours", "ops_per_s"],
  "clients-8-uds": ["clients-8-ours", "ops_per_s"],
  "clients-64-uds": ["clients-64-ours", "ops_per_s"],
  "json-1mib-fifo-raw": ["json-1mib-ours", "mb_per_s"],
  "json-1mib-uds": ["json-1mib-ours", "mb_per_s"],
  "binary-1mib-fifo-raw": ["binary-1mib-ours", "mb_per_s"],
  "binary-1mib-uds": ["binary-1mib-ours", "mb_per_s"],
  "fifo-raw-pinned": ["tool-call-ping-pinned", "p50_us"],
  "c-fifo-pinned": ["tool-call-ping-pinned", "p50_us"],
  "uds-pinned": ["tool-call-ping-pinned", "p50_us"],
  "http-keepalive-pinned": ["tool-call-ping-pinned", "p50_us"],
  "mcp-stdio-pinned": ["tool-call-ping-pinned", "p50_us"],
  "c-bulk": ["binary-1mib-ours", "mb_per_s"],
  "chat-inprocess": ["chat-tokens", "p50_us"],
  "node-e0": ["cpipe-ping", "p50_us"],
};

const METRIC_LABEL: Record<Metric, string> = {
  p50_us: "p50",
  ops_per_s: "ops/s",
  mb_per_s: "MB/s",
};

/** Compares `other` with its counterpart among our cases, when both ran. */
export function compare(results: ResultMap, other: string): Comparison | undefined {
  const pair = COUNTERPARTS[other];
  if (pair === undefined) return undefined;
  const [ours, metric] = pair;
  const a = results.get(other)?.[metric];
  const b = results.get(ours)?.[metric];
  if (a === undefined || b === undefined || !(a > 0) || !(b > 0)) return undefined;
  const lower = metric === "p50_us";
  const factor = lower ? a / b : b / a;
  const text = lower
    ? `${other} / ${ours} (${METRIC_LABEL[metric]}) = ${fmtFactor(a / b)}`
    : `${ours} / ${other} (${METRIC_LABEL[metric]}) = ${fmtFactor(b / a)}`;
  return { other, ours, metric, factor, text };
}

/** Every comparison that can be made from `results`. */
export function comparisons(results: ResultMap): Comparison[] {
  return Object.keys(COUNTERPARTS)
    .map((name) => compare(results, name))
    .filter((c): c is Comparison => c !== undefined);
}

/** A factor such as 4.1x or 0.72x. */
export function fmtFactor(x: number): string {
  return `${x >= 10 ? x.toFixed(0) : x >= 1 ? x.toFixed(1) : x.toFixed(2)}x`;
}

/** A target from the issue and where this run stands. */
export interface TargetCheck {
  text: string;
  /** The measured ratio, when both cases ran. */
  value: number | undefined;
  status: "met" | "missed" | "n/a";
}

interface Target {
  text: string;
  a: string;
  b: string;
  metric: Metric;
  /** The ratio a/b must be at most (`max`) or at least (`min`) this. */
  max?: number;
  min?: number;
}

/** The targets of issue 14, all ratios within one run. */
const TARGETS: Target[] = [
  {
    text: "streaming >= 1.2x Unix socket (events/s)",
    a: "stream-ours",
    b: "stream-uds",
    metric: "ops_per_s",
    min: 1.2,
  },
  {
    text: "8 clients >= 1.2x Unix-socket server (req/s)",
    a: "clients-8-ours",
    b: "clients-8-uds",
    metric: "ops_per_s",
    min: 1.2,
  },
  {
    text: "64 clients >= 1.2x Unix-socket server (req/s)",
    a: "clients-64-ours",
    b: "clients-64-uds",
    metric: "ops_per_s",
    min: 1.2,
  },
  {
    text: "1 MiB JSON >= 1.0x Unix socket (MB/s)",
    a: "json-1mib-ours",
    b: "json-1mib-uds",
    metric: "mb_per_s",
    min: 1.0,
  },
  {
    text: "1 MiB binary >= 1.0x Unix socket (MB/s)",
    a: "binary-1mib-ours",
    b: "binary-1mib-uds",
    metric: "mb_per_s",
    min: 1.0,
  },
  {
    text: "1 MiB binary >= 25% of c-bulk (MB/s)",
    a: "binary-1mib-ours",
    b: "c-bulk",
    metric: "mb_per_s",
    min: 0.25,
  },
  {
    text: "ping p50 <= 1.1x bare FIFO",
    a: "tool-call-ping",
    b: "fifo-raw",
    metric: "p50_us",
    max: 1.1,
  },
  {
    text: "ping p50 >= 3x faster than MCP stdio, pinned",
    a: "mcp-stdio-pinned",
    b: "tool-call-ping-pinned",
    metric: "p50_us",
    min: 3,
  },
  {
    text: "cpipe-ping <= 1.2x node -e 0 (p50)",
    a: "cpipe-ping",
    b: "node-e0",
    metric: "p50_us",
    max: 1.2,
  },
  {
    // Time per token through the pipe / in-process <= 1/0.99: the pipe's share below 1%.
    text: "the pipe's share of per-token time < 1% (chat-tokens / chat-inprocess <= 1.0101)",
    a: "chat-tokens",
    b: "chat-inprocess",
    metric: "p50_us",
    max: 1 / 0.99,
  },
];

/** Checks every target against `results`. */
export function checkTargets(results: ResultMap): TargetCheck[] {
  return TARGETS.map((t) => {
    const a = results.get(t.a)?.[t.metric];
    const b = results.get(t.b)?.[t.metric];
    if (a === undefined || b === undefined || !(b > 0)) {
      return { text: t.text, value: undefined, status: "n/a" };
    }
    const value = a / b;
    const ok = t.max !== undefined ? value <= t.max : value >= (t.min ?? 0);
    return { text: t.text, value, status: ok ? "met" : "missed" };
  });
}
