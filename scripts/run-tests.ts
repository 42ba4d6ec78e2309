/**
 * `npm test`: runs every compiled test file of the workspace (packages/<name>/dist/test and
 * dist/bench/test) with node:test, two files at a time.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
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

const dirs = readdirSync(path.join(ROOT, "packages"))
  .map((p) => path.join(ROOT, "packages", p, "dist/test"))
  .concat(path.join(ROOT, "dist/bench/test"), path.join(ROOT, "dist/test"));
const files = dirs.flatMap(testFiles);
const run = spawnSync(process.execPath, ["--test", "--test-concurrency=2", ...files], {
  stdio: "inherit",
});
process.exitCode = run.status ?? 1;
