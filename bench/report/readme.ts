/**
 * The README's results block: the latest table, chart, date, machine and targets, rewritten in
 * place between `<!-- bench:results -->` and `<!-- /bench:results -->`.
 */
import { readFile, writeFile } from "node:fs/promises";
import type { MachineInfo } from "../machine.js";
import type { TargetCheck } from "./compare.js";

const OPEN = "<!-- bench:results -->";
const CLOSE = "<!-- /bench:results -->";

/** What the block shows. */
export interface ReadmeBlock {
  machine: MachineInfo;
  rounds: number;
  quick: boolean;
  table: string;
  targets: TargetCheck[];
  notes: string[];
  /** Path of the chart relative to the README. */
  chart: string;
}

/** Renders the block's Markdown. */
export function renderBlock(b: ReadmeBlock): string {
  const m = b.machine;
  const targets = b.targets.map(
    (t) =>
      `- ${t.status === "met" ? "met" : t.status === "missed" ? "**missed**" : "n/a"}: ${t.text}${t.value === undefined ? "" : `: ${t.value.toFixed(2)}x`}`,
  );
  return [
    `Latest ${b.quick ? "quick (rough)" : "full"} run: ${m.date.slice(0, 10)}, ${m.cpu} (${m.cores} cores, ${m.memory_gib} GiB), Node ${m.node}, ${m.os}. Machine ${m.state ?? "state unknown"} (load average ${m.load_start?.[0] ?? "?"} at start, ${m.load_end?.[0] ?? "?"} at end). Medians of ${b.rounds} interleaved round${b.rounds === 1 ? "" : "s"}; "vs ours" compares p50 for round trips, ops/s or MB/s otherwise.`,
    "",
    b.table,
    "",
    `![bench](${b.chart})`,
    "",
    "Targets (aims, not test assertions):",
    "",
    ...targets,
    ...(b.notes.length === 0 ? [] : ["", ...b.notes.map((n) => `- ${n}`)]),
  ].join("\n");
}

/** Replaces the block in `file`; returns false when the markers are missing. */
export async function updateReadme(file: string, block: string): Promise<boolean> {
  const text = await readFile(file, "utf8");
  const start = text.indexOf(OPEN);
  const end = text.indexOf(CLOSE);
  if (start === -1 || end < start) return false;
  // Blank lines around the block, as Prettier formats Markdown after an HTML comment.
  const next = `${text.slice(0, start + OPEN.length)}\n\n${block}\n\n${text.slice(end)}`;
  await writeFile(file, next);
  return true;
}
