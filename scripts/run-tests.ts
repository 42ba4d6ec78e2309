/**
 * `npm test`: runs every compiled test file of the workspace (packages/<name>/dist/test,
 * dist/bench/test and dist/test) with node:test, two files at a time, and ends with one line
 * that says how many tests were skipped and why (grouped by reason).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (this file runs as dist/scripts/run-tests.js). */
const ROOT = fileURLToPath(new URL("../../", import.meta.url));

function testFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.sort().flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return testFiles(full);
    return name.endsWith(".test.js") ? [full] : [];
  });
}

/** `# SKIP reason` lines of a TAP report, counted by reason. */
export function skipReasons(tap: string): Map<string, number> {
  const reasons = new Map<string, number>();
  for (const [, reason] of tap.matchAll(/^\s*ok \d+ - .*? # SKIP ?(.*)$/gm)) {
    const why = reason?.trim() || "no reason given";
    reasons.set(why, (reasons.get(why) ?? 0) + 1);
  }
  return reasons;
}

/**
 * The source a compiled test file came from (`packages/x/dist/test/a.test.js` ->
 * `packages/x/test/a.test.ts` or `.tsx`, `dist/test/a.test.js` -> `test/a.test.ts`): tsc leaves the output
 * of a deleted or renamed test behind, and such a stale file must not run.
 */
function sourceOf(file: string): string {
  const rel = path.relative(ROOT, file).replace(/\.js$/, ".ts");
  const inPackage = /^packages\/[^/]+\/dist\//;
  return path.join(
    ROOT,
    inPackage.test(rel) ? rel.replace("/dist/", "/") : rel.replace(/^dist\//, ""),
  );
}

const dirs = readdirSync(path.join(ROOT, "packages"))
  .map((p) => path.join(ROOT, "packages", p, "dist/test"))
  .concat(path.join(ROOT, "dist/bench/test"), path.join(ROOT, "dist/test"));
const files =
  process.argv.length > 2
    ? process.argv.slice(2)
    : dirs
        .flatMap(testFiles)
        .filter((f) => existsSync(sourceOf(f)) || existsSync(`${sourceOf(f)}x`));
const scratch = mkdtempSync(path.join(tmpdir(), "npt-test-report-"));
const report = path.join(scratch, "report.tap");
const run = spawnSync(
  process.execPath,
  [
    "--test",
    "--test-concurrency=2",
    "--test-reporter=tap",
    "--test-reporter-destination=stdout",
    "--test-reporter=tap",
    `--test-reporter-destination=${report}`,
    ...files,
  ],
  { stdio: "inherit" },
);
let reasons = new Map<string, number>();
try {
  reasons = skipReasons(readFileSync(report, "utf8"));
} catch {
  // no report: the run itself failed to start, and its exit code says so
}
rmSync(scratch, { recursive: true, force: true });
const total = [...reasons.values()].reduce((a, b) => a + b, 0);
const summary =
  total === 0
    ? "skipped: none"
    : `skipped ${total}: ${[...reasons].map(([why, n]) => `${n} (${why})`).join("; ")}`;
process.stdout.write(`${summary}\n`);
process.exitCode = run.status ?? 1;
