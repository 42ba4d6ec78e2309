/**
 * c-fifo: the machine's floor, the same exchange by a small C program over two FIFOs. Compiled
 * at bench time with `cc`; skipped when there is no C compiler.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { C_SOURCE } from "../paths.js";
import type { Samples } from "../peer/ops.js";
import { Peer } from "../proc.js";
import { latencyResult } from "./common.js";
import { pingParams } from "./round-trip.js";
import type { BenchCase, RoundContext } from "./types.js";

const run = promisify(execFile);
let binary: string | undefined;

async function compile(workDir: string): Promise<string | undefined> {
  const out = path.join(workDir, "fifo_pingpong");
  try {
    await run("cc", ["-O2", "-o", out, C_SOURCE]);
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    return e.code === "ENOENT"
      ? "no C compiler ('cc') on this machine"
      : `cc failed: ${e.stderr ?? e.message}`;
  }
  binary = out;
  return undefined;
}

async function round(ctx: RoundContext) {
  const req = path.join(ctx.dir, "c-req");
  const rep = path.join(ctx.dir, "c-rep");
  await run("mkfifo", ["-m", "600", req, rep]);
  const server = new Peer("c-fifo server", binary!, ["server", req, rep]);
  try {
    await server.ready();
    const { warmup, n } = pingParams(ctx.quick);
    const client = new Peer("c-fifo client", binary!, [
      "client",
      req,
      rep,
      String(n),
      String(warmup),
    ]);
    const samples = (await client.next()) as unknown as Samples;
    await client.stop(0);
    return latencyResult(samples);
  } finally {
    await server.stop(0);
  }
}

/** The C floor. */
export const cFifoCase: BenchCase = {
  name: "c-fifo",
  group: "latency",
  ours: false,
  what: "C program, two FIFOs, blocking read/write",
  prepare: compile,
  round,
};
