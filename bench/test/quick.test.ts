/**
 * Smoke test of the bench: a quick run of two cases, checking the shape of the JSON results and
 * that a chart was written. Never asserts timings.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { tempDir } from "named-pipe-tools-testkit";

const run = promisify(execFile);
const FIELDS = new Set(["name", "p50_us", "p99_us", "mean_us", "ops_per_s", "mb_per_s"]);

test("bench --quick writes results JSON of the documented shape and an SVG chart", async (t) => {
  const dir = await tempDir(t, "npt-bench-test-");
  const json = path.join(dir, "results.json");
  const svg = path.join(dir, "chart.svg");
  await run(
    process.execPath,
    [
      fileURLToPath(new URL("../run.js", import.meta.url)),
      "--quick",
      "--rounds",
      "1",
      "--only",
      "tool-call-ping,uds,stream-ours",
      "--json",
      json,
      "--svg",
      svg,
    ],
    { timeout: 60_000 },
  );
  const results = JSON.parse(await readFile(json, "utf8")) as {
    machine: Record<string, unknown>;
    cases: Record<string, unknown>[];
  };
  assert.deepEqual(Object.keys(results).sort(), ["cases", "machine"]);
  for (const key of ["cpu", "cores", "node", "os", "date"]) assert.ok(key in results.machine, key);
  assert.deepEqual(
    results.cases.map((c) => c["name"]),
    ["tool-call-ping", "uds", "stream-ours"],
  );
  for (const c of results.cases) {
    for (const [key, value] of Object.entries(c)) {
      assert.ok(FIELDS.has(key), `unexpected field ${key}`);
      if (key !== "name") assert.equal(typeof value, "number", `${String(c["name"])}.${key}`);
    }
  }
  const [ping, , stream] = results.cases;
  for (const key of ["p50_us", "p99_us", "mean_us", "ops_per_s"]) assert.ok(key in ping!, key);
  assert.ok("ops_per_s" in stream! && !("p50_us" in stream), "a stream has a rate, no latency");
  assert.match(await readFile(svg, "utf8"), /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
});
