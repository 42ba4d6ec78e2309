/**
 * The machine's floors, by a small C program over two FIFOs (compiled at bench time with `cc`;
 * skipped when there is no C compiler): `c-fifo`, the small JSON round trip; `c-bulk`, 1 MiB
 * messages echoed one at a time (the bandwidth floor for the 1 MiB cases).
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { C_SOURCE } from "../paths.js";
import type { Samples } from "../peer/ops.js";
import { Peer } from "../proc.js";
import { PIN, latencyResult } from "./common.js";
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

/** Runs the C server and client over two fresh FIFOs; `wrap` pins them (taskset). */
async function exchange(
  ctx: RoundContext,
  server: string[],
  client: string[],
  wrap: readonly string[] = [],
): Promise<Samples> {
  const req = path.join(ctx.dir, "c-req");
  const rep = path.join(ctx.dir, "c-rep");
  await run("mkfifo", ["-m", "600", req, rep]);
  const start = (label: string, args: string[]): Peer => {
    const command = [...wrap, binary!, args[0]!, req, rep, ...args.slice(1)];
    return new Peer(label, command[0]!, command.slice(1));
  };
  const serverPeer = start("c server", server);
  try {
    await serverPeer.ready();
    const clientPeer = start("c client", client);
    const samples = (await clientPeer.next()) as unknown as Samples;
    await clientPeer.stop(0);
    return samples;
  } finally {
    await serverPeer.stop(0);
  }
}

function pingCase(name: string, wrap: readonly string[], what: string): BenchCase {
  return {
    name,
    group: "latency",
    ours: false,
    what,
    prepare: compile,
    async round(ctx) {
      const { warmup, n } = pingParams(ctx.quick);
      return latencyResult(
        await exchange(ctx, ["server"], ["client", String(n), String(warmup)], wrap),
      );
    },
  };
}

/** The C floor of the round trip. */
export const cFifoCase: BenchCase = pingCase(
  "c-fifo",
  [],
  "C program, two FIFOs, blocking read/write",
);

/** The C floor of the round trip, both processes pinned to one CPU. */
export const cFifoPinnedCase: BenchCase = pingCase(
  "c-fifo-pinned",
  PIN,
  "c-fifo with both processes on one CPU (taskset)",
);

const MIB = 1024 * 1024;

/** The C floor of the 1 MiB echo. */
export const cBulkCase: BenchCase = {
  name: "c-bulk",
  group: "bulk",
  ours: false,
  what: "C program, 1 MiB messages echoed over two FIFOs",
  prepare: compile,
  async round(ctx) {
    const { warmup, n } = ctx.quick ? { warmup: 4, n: 20 } : { warmup: 10, n: 100 };
    const samples = await exchange(
      ctx,
      ["bulk-server", String(MIB)],
      ["bulk-client", String(n), String(warmup), String(MIB)],
    );
    return latencyResult(samples, 2 * MIB);
  },
};
