#!/usr/bin/env node
/**
 * `npm run bench`: measures the library against what a user would use instead, side by side, in
 * one run on one machine. Every case runs in rounds, interleaved (each round visits every case,
 * starting at a different one), each round warming up before it measures; the reported numbers
 * are medians over rounds. Prints a table, ratios and the targets; writes JSON and an SVG chart.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { BenchCase, Result } from "./cases/index.js";
import { ALL_CASES } from "./cases/index.js";
import type { MachineInfo } from "./machine.js";
import { finishMachineInfo, machineInfo } from "./machine.js";
import { USAGE, parseOptions } from "./options.js";
import { DEFAULT_JSON, DEFAULT_SVG, README } from "./paths.js";
import { renderSvg } from "./report/chart.js";
import type { ResultMap } from "./report/compare.js";
import { checkTargets, comparisons } from "./report/compare.js";
import { renderBlock, updateReadme } from "./report/readme.js";
import { markdownTable, textTable } from "./report/table.js";
import { median } from "./stats.js";

const FIELDS = ["p50_us", "p99_us", "mean_us", "ops_per_s", "mb_per_s"] as const;

const log = (line: string): void => void process.stderr.write(`${line}\n`);

/** The median of each field (and of each part) over the rounds that have it. */
function aggregate(rounds: readonly Result[]): Result {
  const out: Result = {};
  for (const f of FIELDS) {
    const values = rounds.map((r) => r[f]).filter((v): v is number => v !== undefined);
    if (values.length > 0) out[f] = median(values);
  }
  const parts = new Set(rounds.flatMap((r) => Object.keys(r.parts_ms ?? {})));
  if (parts.size > 0) {
    out.parts_ms = {};
    for (const p of parts) {
      out.parts_ms[p] = median(
        rounds.map((r) => r.parts_ms?.[p]).filter((v): v is number => v !== undefined),
      );
    }
  }
  return out;
}

/** Rounds a result for the JSON file. */
function rounded(r: Result): Result {
  const out: Result = {};
  for (const f of FIELDS) {
    const v = r[f];
    if (v !== undefined && Number.isFinite(v)) {
      out[f] = f === "ops_per_s" ? Math.round(v) : Math.round(v * 10) / 10;
    }
  }
  if (r.parts_ms !== undefined) {
    out.parts_ms = Object.fromEntries(
      Object.entries(r.parts_ms).map(([k, v]) => [k, Math.round(v * 10) / 10]),
    );
  }
  return out;
}

/** "name: part 12.3, part 4.5" for each case that reports where its time goes. */
function partsLines(cases: readonly BenchCase[], results: ResultMap): string[] {
  return cases.flatMap((c) => {
    const parts = results.get(c.name)?.parts_ms;
    if (parts === undefined) return [];
    const list = Object.entries(parts).map(([k, v]) => `${k.replace(/_ms$/, "")} ${v.toFixed(1)}`);
    return [`${c.name} (ms, medians): ${list.join(", ")}`];
  });
}

function select(only: string[] | undefined, quick: boolean): BenchCase[] {
  if (only === undefined) return ALL_CASES.filter((c) => !(quick && c.heavy === true));
  const known = new Set(ALL_CASES.map((c) => c.name));
  const unknown = only.filter((n) => !known.has(n));
  if (unknown.length > 0) {
    throw new TypeError(`unknown case(s) ${unknown.join(", ")}; --list shows them`);
  }
  return ALL_CASES.filter((c) => only.includes(c.name));
}

function describe(name: string, r: Result): string {
  const parts: string[] = [];
  if (r.p50_us !== undefined) parts.push(`p50 ${r.p50_us.toFixed(1)} us`);
  if (r.ops_per_s !== undefined) parts.push(`${Math.round(r.ops_per_s)} ops/s`);
  if (r.mb_per_s !== undefined) parts.push(`${r.mb_per_s.toFixed(1)} MB/s`);
  return `${name}: ${parts.join(", ")}`;
}

interface RunOutcome {
  results: Map<string, Result>;
  notes: string[];
}

async function runAll(cases: BenchCase[], quick: boolean, rounds: number): Promise<RunOutcome> {
  const work = await mkdtemp(path.join(tmpdir(), "npt-bench-"));
  const notes: string[] = [];
  const perRound = new Map<string, Result[]>();
  try {
    let active: BenchCase[] = [];
    for (const c of cases) {
      const why = await c.prepare?.(work);
      if (why === undefined) active.push(c);
      else notes.push(`skipped ${c.name}: ${why}`);
    }
    for (let r = 0; r < rounds; r++) {
      // Each round starts at a different case, so no case always follows the same neighbour.
      const start = Math.round((r * active.length) / rounds);
      const order = [...active.slice(start), ...active.slice(0, start)];
      for (const c of order) {
        const dir = await mkdtemp(path.join(work, "round-"));
        try {
          const result = await c.round({ quick, dir });
          perRound.set(c.name, [...(perRound.get(c.name) ?? []), result]);
          log(`[round ${r + 1}/${rounds}] ${describe(c.name, result)}`);
        } catch (err) {
          notes.push(`failed ${c.name}: ${(err as Error).message.split("\n")[0]}`);
          log(`[round ${r + 1}/${rounds}] ${c.name} FAILED: ${(err as Error).message}`);
          active = active.filter((a) => a !== c);
          await c.finish?.();
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      }
    }
  } finally {
    for (const c of cases) await c.finish?.();
    await rm(work, { recursive: true, force: true });
  }
  const results = new Map<string, Result>();
  for (const c of cases) {
    const rs = perRound.get(c.name);
    if (rs !== undefined && !notes.some((n) => n.startsWith(`failed ${c.name}:`))) {
      results.set(c.name, aggregate(rs));
    }
  }
  return { results, notes };
}

function resultsJson(machine: MachineInfo, cases: BenchCase[], results: ResultMap): string {
  const list = cases
    .filter((c) => results.has(c.name))
    .map((c) => ({ name: c.name, ...rounded(results.get(c.name)!) }));
  // Short arrays of numbers on one line, as Prettier writes them (the file is committed).
  return `${JSON.stringify({ machine, cases: list }, null, 2).replace(
    /\[\s*(-?[\d.]+(?:,\s*-?[\d.]+)*)\s*\]/g,
    (_all, nums: string) => `[${nums.split(/,\s*/).join(", ")}]`,
  )}\n`;
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2), { json: DEFAULT_JSON, svg: DEFAULT_SVG });
  if (opts.help) return void console.log(USAGE);
  if (opts.list) {
    for (const c of ALL_CASES) console.log(`${c.name.padEnd(22)} ${c.group.padEnd(10)} ${c.what}`);
    return;
  }
  const cases = select(opts.only, opts.quick);
  const machine = machineInfo();
  const t0 = performance.now();
  log(
    `bench: ${cases.length} cases x ${opts.rounds} rounds${opts.quick ? " (quick)" : ""} on ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}`,
  );
  const outcome = await runAll(cases, opts.quick, opts.rounds);
  const { results, notes } = outcome;
  const ran = finishMachineInfo(machine);
  const leftOut = opts.only === undefined ? ALL_CASES.filter((c) => !cases.includes(c)) : [];
  if (leftOut.length > 0) {
    notes.push(`left out by --quick: ${leftOut.map((c) => c.name).join(", ")}`);
  }

  const targets = checkTargets(results);
  console.log(
    `\n${ran.date.slice(0, 10)}  ${ran.cpu}, ${ran.cores} cores, Node ${ran.node}, ${ran.os}`,
  );
  console.log(
    `machine ${ran.state ?? "?"}: load average ${ran.load_start?.join(" ")} at start, ${ran.load_end?.join(" ")} at end`,
  );
  console.log(`medians of ${opts.rounds} interleaved rounds${opts.quick ? " (quick)" : ""}\n`);
  console.log(textTable(cases, results));
  const parts = partsLines(cases, results);
  if (parts.length > 0)
    console.log(`\nwhere the time goes:\n${parts.map((p) => `  ${p}`).join("\n")}`);
  const cmp = comparisons(results);
  if (cmp.length > 0) console.log(`\nratios:\n${cmp.map((c) => `  ${c.text}`).join("\n")}`);
  console.log(
    `\ntargets (aims, not assertions):\n${targets
      .map(
        (t) =>
          `  [${t.status.padEnd(6)}] ${t.text}${t.value === undefined ? "" : `: ${t.value.toFixed(2)}x`}`,
      )
      .join("\n")}`,
  );
  if (notes.length > 0) console.log(`\nnotes:\n${notes.map((n) => `  ${n}`).join("\n")}`);

  if (opts.json !== undefined) {
    await mkdir(path.dirname(opts.json), { recursive: true });
    await writeFile(opts.json, resultsJson(ran, cases, results));
    console.log(`\nwrote ${opts.json}`);
  }
  if (opts.svg !== undefined) {
    await mkdir(path.dirname(opts.svg), { recursive: true });
    await writeFile(opts.svg, renderSvg(cases, results, ran));
    console.log(`wrote ${opts.svg}`);
  }
  if (opts.readme) {
    const chart = path.relative(path.dirname(README), opts.svg ?? DEFAULT_SVG);
    const block = renderBlock({
      machine: ran,
      rounds: opts.rounds,
      quick: opts.quick,
      table: markdownTable(cases, results),
      targets,
      notes,
      chart,
    });
    const ok = await updateReadme(README, block);
    console.log(ok ? `updated ${README}` : `${README} has no <!-- bench:results --> block`);
  }
  log(`bench: done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  if (results.size === 0) process.exitCode = 1;
}

main().catch((err: unknown) => {
  log(`bench: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
