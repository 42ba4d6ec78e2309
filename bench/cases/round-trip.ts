/**
 * Round trip of a small JSON request and its reply, one client, one request at a time:
 * ours, the bare FIFO exchange in Node, a Unix socket, HTTP keep-alive and MCP over stdio.
 */
import type { Samples } from "../peer/ops.js";
import { PIN, latencyResult, withClients, withServer } from "./common.js";
import type { BenchCase, Result, RoundContext } from "./types.js";

/** Warm-up and measured calls per round, and a time cap per round (ms). */
export function pingParams(quick: boolean): { warmup: number; n: number; maxMs: number } {
  // Node needs a few thousand calls before the JIT has settled.
  return quick ? { warmup: 500, n: 1000, maxMs: 400 } : { warmup: 3000, n: 5000, maxMs: 1500 };
}

async function pingRound(
  family: string,
  ctx: RoundContext,
  wrap: readonly string[],
): Promise<Result> {
  const measure = (address: string) =>
    withClients(
      family,
      address,
      1,
      async ([client]) =>
        latencyResult(await client!.ask<Samples>({ op: "ping", ...pingParams(ctx.quick) })),
      false,
      wrap,
    );
  // The MCP client spawns its own server over stdio, as an MCP host does (pinned with it).
  if (family === "mcp") return measure("");
  return withServer(family, ctx.dir, measure, wrap);
}

function pingCase(name: string, family: string, what: string, pinned = false): BenchCase {
  return {
    name,
    group: "latency",
    ours: family === "ours",
    what,
    round: (ctx) => pingRound(family, ctx, pinned ? PIN : []),
  };
}

/** The round-trip cases written in Node, as the processes fall on the CPUs. */
export const roundTripCases: BenchCase[] = [
  pingCase("tool-call-ping", "ours", "ToolClient.call('ping') to a ToolServer"),
  pingCase("fifo-raw", "fifo-raw", "bare FIFO pair in Node, one write(2) per message"),
  pingCase("uds", "uds", "Node Unix socket, JSON lines"),
  pingCase("http-keepalive", "http", "HTTP/1.1 POST, keep-alive, loopback"),
  pingCase("mcp-stdio", "mcp", "MCP SDK tools/call over stdio"),
];

/** The same round trips with both processes pinned to one CPU (taskset -c 0). */
export const pinnedRoundTripCases: BenchCase[] = [
  pingCase("tool-call-ping-pinned", "ours", "tool-call-ping on one CPU", true),
  pingCase("fifo-raw-pinned", "fifo-raw", "fifo-raw on one CPU", true),
  pingCase("uds-pinned", "uds", "uds on one CPU", true),
  pingCase("http-keepalive-pinned", "http", "http-keepalive on one CPU", true),
  pingCase("mcp-stdio-pinned", "mcp", "mcp-stdio on one CPU", true),
];
