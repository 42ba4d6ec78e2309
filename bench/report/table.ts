/**
 * The results table, as aligned text for the terminal and as Markdown for the README.
 */
import type { BenchCase, Result } from "../cases/types.js";
import type { ResultMap } from "./compare.js";
import { compare, fmtFactor } from "./compare.js";

const HEADERS = ["case", "p50 us", "p99 us", "mean us", "ops/s", "MB/s", "vs ours"];

function fmtUs(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return "";
  return x >= 100 ? Math.round(x).toLocaleString("en-US") : x.toFixed(1);
}

function fmtOps(x: number | undefined): string {
  return x === undefined || !Number.isFinite(x) ? "" : Math.round(x).toLocaleString("en-US");
}

function fmtMb(x: number | undefined): string {
  return x === undefined || !Number.isFinite(x) ? "" : x.toFixed(1);
}

/** "ours 4.1x faster" / "ours 1.3x slower" / "(ours)". */
function versus(c: BenchCase, results: ResultMap): string {
  if (c.ours) return "(ours)";
  const cmp = compare(results, c.name);
  if (cmp === undefined) return "";
  return cmp.factor >= 1
    ? `ours ${fmtFactor(cmp.factor)} faster`
    : `ours ${fmtFactor(1 / cmp.factor)} slower`;
}

function rows(cases: readonly BenchCase[], results: ResultMap): string[][] {
  return cases
    .filter((c) => results.has(c.name))
    .map((c) => {
      const r: Result = results.get(c.name)!;
      return [
        c.name,
        fmtUs(r.p50_us),
        fmtUs(r.p99_us),
        fmtUs(r.mean_us),
        fmtOps(r.ops_per_s),
        fmtMb(r.mb_per_s),
        versus(c, results),
      ];
    });
}

/** An aligned plain-text table. */
export function textTable(cases: readonly BenchCase[], results: ResultMap): string {
  const all = [HEADERS, ...rows(cases, results)];
  const widths = HEADERS.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((cell, i) =>
        i === 0 || i === r.length - 1 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!),
      )
      .join("  ")
      .trimEnd();
  return [
    line(HEADERS),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...all.slice(1).map(line),
  ].join("\n");
}

/** A Markdown table, its columns padded the way Prettier formats them. */
export function markdownTable(cases: readonly BenchCase[], results: ResultMap): string {
  const body = rows(cases, results).map(([name, ...rest]) => [`\`${name}\``, ...rest]);
  const all = [HEADERS, ...body];
  const widths = HEADERS.map((_, i) => Math.max(3, ...all.map((r) => r[i]!.length)));
  const left = (i: number) => i === 0 || i === HEADERS.length - 1;
  const md = (r: string[]) =>
    `| ${r.map((c, i) => (left(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ")} |`;
  const rule = `| ${widths.map((w, i) => (left(i) ? "-".repeat(w) : `${"-".repeat(w - 1)}:`)).join(" | ")} |`;
  return [md(HEADERS), rule, ...body.map(md)].join("\n");
}
