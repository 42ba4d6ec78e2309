/**
 * Many client processes at once, each calling ping in a loop: aggregate requests per second and
 * the p99 round trip, ours against a Unix-socket server (both servers are one Node process).
 *
 * Starting 64 Node processes takes seconds on a small machine, so each case starts its server
 * and clients once, on its first round, and keeps them (idle) across the interleaved rounds;
 * every round warms them up again and then runs them all together.
 */
import { mkdtemp } from "node:fs/promises";
import path from "node:path";
import type { Samples } from "../peer/ops.js";
import { Peer, stopAll } from "../proc.js";
import { summarize } from "../stats.js";
import { startClients } from "./common.js";
import type { BenchCase, Result, RoundContext } from "./types.js";

function params(quick: boolean): { warmup: number; ms: number } {
  return quick ? { warmup: 100, ms: 400 } : { warmup: 200, ms: 1000 };
}

interface Fleet {
  server: Peer;
  clients: Peer[];
}

async function openFleet(family: string, count: number, dir: string): Promise<Fleet> {
  const server = Peer.node(`${family} server`, ["serve", family, dir]);
  try {
    const { address } = await server.ready();
    return { server, clients: await startClients(family, address as string, count) };
  } catch (err) {
    await server.stop(0);
    throw err;
  }
}

async function measure(fleet: Fleet, ctx: RoundContext): Promise<Result> {
  const p = params(ctx.quick);
  const { clients } = fleet;
  await Promise.all(clients.map((c) => c.ask({ op: "ping", warmup: p.warmup, n: 0, maxMs: 0 })));
  const results = await Promise.all(
    clients.map((c) => c.ask<Samples>({ op: "pingFor", ms: p.ms })),
  );
  const { p50, p99, mean } = summarize(results.flatMap((r) => r.samples));
  let opsPerS = 0;
  for (const r of results) opsPerS += r.samples.length / (r.elapsedMs / 1000);
  return { p50_us: p50, p99_us: p99, mean_us: mean, ops_per_s: opsPerS };
}

function clientsCase(family: string, count: number): BenchCase {
  const ours = family === "ours";
  let workDir = "";
  let fleet: Promise<Fleet> | undefined;
  return {
    name: `clients-${count}-${family}`,
    group: "clients",
    ours,
    what: `${count} client processes, ping loop, ${ours ? "one ToolServer" : "one Node UDS server"}`,
    heavy: count > 16,
    async prepare(dir) {
      workDir = dir;
      return undefined;
    },
    async round(ctx) {
      fleet ??= mkdtemp(path.join(workDir, `clients-${count}-${family}-`)).then((dir) =>
        openFleet(family, count, dir),
      );
      return measure(await fleet, ctx);
    },
    async finish() {
      const f = await fleet?.catch(() => undefined);
      fleet = undefined;
      if (f !== undefined) await stopAll([...f.clients, f.server]);
    },
  };
}

/** The many-client cases. */
export const clientsCases: BenchCase[] = [
  clientsCase("ours", 8),
  clientsCase("uds", 8),
  clientsCase("ours", 64),
  clientsCase("uds", 64),
];
