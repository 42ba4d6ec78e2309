/**
 * The library across machines (named-pipe-tools-nats), measured on loopback next to HTTP
 * keep-alive: a remote `ping` round trip, and 1,000-token streams (the size of a long LLM
 * answer) over NATS, Server-Sent Events and local pipes. Skipped without nats-server.
 */
import { execFile } from "node:child_process";
import type { Samples, StreamResult } from "../peer/ops.js";
import { median } from "../stats.js";
import { latencyResult, withClients, withServer } from "./common.js";
import { pingParams } from "./round-trip.js";
import type { BenchCase, Result, RoundContext } from "./types.js";

/** Tokens per stream. */
const TOKENS = 1000;

function natsInstalled(): Promise<string | undefined> {
  return new Promise((resolve) =>
    execFile("nats-server", ["--version"], (err) =>
      resolve(
        err === null ? undefined : "nats-server is not installed (apt-get install nats-server)",
      ),
    ),
  );
}

async function natsPing(ctx: RoundContext): Promise<Result> {
  return withServer("nats", ctx.dir, (address) =>
    withClients("nats", address, 1, async ([client]) =>
      latencyResult(await client!.ask<Samples>({ op: "ping", ...pingParams(ctx.quick) })),
    ),
  );
}

/** Whole 1,000-token streams, one after another: p50 of one stream's time, and tokens/s. */
async function stream1k(family: string, ctx: RoundContext): Promise<Result> {
  const streams = ctx.quick ? 5 : 20;
  return withServer(family, ctx.dir, (address) =>
    withClients(family, address, 1, async ([client]) => {
      const times: number[] = [];
      for (let i = 0; i < streams; i++) {
        const r = await client!.ask<StreamResult>({
          op: "stream",
          warmup: i === 0 ? TOKENS * 5 : 0,
          n: TOKENS,
        });
        if (r.events !== TOKENS) throw new Error(`${family}: got ${r.events} of ${TOKENS} tokens`);
        times.push(r.elapsedMs * 1000);
      }
      const p50 = median(times);
      return { p50_us: p50, ops_per_s: TOKENS / (p50 / 1e6) };
    }),
  );
}

function stream1kCase(name: string, family: string, what: string): BenchCase {
  return {
    name,
    group: "stream",
    ours: family !== "http",
    what,
    ...(family === "nats" ? { prepare: natsInstalled } : {}),
    round: (ctx) => stream1k(family, ctx),
  };
}

/** The NATS cases. */
export const natsCases: BenchCase[] = [
  {
    name: "nats-ping",
    group: "latency",
    ours: true,
    what: "NatsToolClient.call('ping') via a gateway, loopback",
    prepare: natsInstalled,
    round: natsPing,
  },
  stream1kCase("stream-1k-nats", "nats", "1,000-token stream over NATS (gateway), loopback"),
  stream1kCase("stream-1k-sse", "http", "1,000-token stream as SSE, HTTP keep-alive"),
  stream1kCase("stream-1k-ours", "ours", "1,000-token stream over local pipes"),
];
