/**
 * 1 MiB messages echoed one at a time: a JSON message carrying a 1 MiB string, and a 1 MiB
 * binary frame (ours: the data channel). MB/s counts both directions (2 MiB per round trip,
 * 1 MB = 10^6 bytes).
 */
import type { Samples } from "../peer/ops.js";
import { latencyResult, withClients, withServer } from "./common.js";
import type { BenchCase, Result, RoundContext } from "./types.js";

const MIB = 1024 * 1024;

function params(quick: boolean): { warmup: number; n: number } {
  return quick ? { warmup: 2, n: 6 } : { warmup: 4, n: 16 };
}

async function bulkRound(
  family: string,
  kind: "json" | "binary",
  ctx: RoundContext,
): Promise<Result> {
  return withServer(family, ctx.dir, (address) =>
    withClients(
      family,
      address,
      1,
      async ([client]) => {
        const s = await client!.ask<Samples>({ op: kind, bytes: MIB, ...params(ctx.quick) });
        return latencyResult(s, 2 * MIB);
      },
      kind === "binary",
    ),
  );
}

function bulkCase(kind: "json" | "binary", family: string): BenchCase {
  return {
    name: `${kind}-1mib-${family}`,
    group: "bulk",
    ours: family === "ours",
    what:
      kind === "json"
        ? `1 MiB JSON echo, ${family === "ours" ? "the demo 'echo' command" : family}`
        : `1 MiB binary frame echo, ${family === "ours" ? "the data channel" : family}`,
    round: (ctx) => bulkRound(family, kind, ctx),
  };
}

/** The 1 MiB cases. */
export const bulkCases: BenchCase[] = [
  bulkCase("json", "ours"),
  bulkCase("json", "fifo-raw"),
  bulkCase("json", "uds"),
  bulkCase("binary", "ours"),
  bulkCase("binary", "fifo-raw"),
  bulkCase("binary", "uds"),
];
