/**
 * Wall time of one `cpipe NAME ping` (a whole CLI process: start Node, connect, ping, exit)
 * next to `node -e 0` (starting Node and doing nothing). Skipped while the CLI is not built.
 */
import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { CLI_MAIN } from "../paths.js";
import { summarize } from "../stats.js";
import { withServer } from "./common.js";
import type { BenchCase, Result } from "./types.js";

const run = promisify(execFile);
/** The server name the `ours` family serves under. */
const TOOL = "bench";
let cliTakesDir = false;

function runs(quick: boolean): number {
  return quick ? 3 : 6;
}

/** Spawns `args` and resolves with its wall time in µs; rejects on a non-zero exit. */
function timeProcess(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"], env });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.once("exit", (code) => {
      const us = (performance.now() - t0) * 1000;
      if (code === 0) resolve(us);
      else reject(new Error(`${args.join(" ")} exited with ${code}: ${err.trim()}`));
    });
  });
}

function cliArgs(dir: string): { args: string[]; env: NodeJS.ProcessEnv } {
  const args = [CLI_MAIN, ...(cliTakesDir ? ["--dir", dir] : []), TOOL, "ping"];
  return { args, env: { ...process.env, PIPE_TOOLS_DIR: dir } };
}

async function timeRuns(count: number, once: () => Promise<number>): Promise<Result> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) samples.push(await once());
  const { p50, p99, mean } = summarize(samples);
  return { p50_us: p50, p99_us: p99, mean_us: mean };
}

async function prepareCli(workDir: string): Promise<string | undefined> {
  if (!existsSync(CLI_MAIN)) return `${path.relative(process.cwd(), CLI_MAIN)} is not built yet`;
  try {
    const { stdout } = await run(process.execPath, [CLI_MAIN, "--help"]);
    cliTakesDir = stdout.includes("--dir");
  } catch (err) {
    return `cpipe --help failed: ${(err as Error).message}`;
  }
  const dir = path.join(workDir, "cli-check");
  await mkdir(dir, { recursive: true });
  try {
    await withServer("ours", dir, async () => {
      const { args, env } = cliArgs(dir);
      await timeProcess(args, env);
    });
  } catch (err) {
    return `cpipe ${TOOL} ping failed: ${(err as Error).message}`;
  }
  return undefined;
}

/** The CLI start-up cases. */
export const startupCases: BenchCase[] = [
  {
    name: "cpipe-ping",
    group: "startup",
    ours: true,
    what: "wall time of one `cpipe NAME ping` process",
    prepare: prepareCli,
    round: (ctx) =>
      withServer("ours", ctx.dir, () => {
        const { args, env } = cliArgs(ctx.dir);
        return timeRuns(runs(ctx.quick), () => timeProcess(args, env));
      }),
  },
  {
    name: "node-e0",
    group: "startup",
    ours: false,
    what: "wall time of `node -e 0`",
    round: (ctx) => timeRuns(runs(ctx.quick), () => timeProcess(["-e", "0"], process.env)),
  },
];
