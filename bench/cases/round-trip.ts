/**
 * Round trip of a small JSON request and its reply, one client, one request at a time:
 * ours, the bare FIFO exchange in Node, a Unix socket, HTTP keep-alive and MCP over stdio.
 */
import type { Samples } from "../peer/ops.js";
import { latencyResult, withClients, withServer } from "./common.js";
import type { BenchCase, Result, RoundContext } from "./types.js";

/** Warm-up and measured calls per round, and a time cap per round (ms). */
export function pingParams(quick: boolean): { warmup: number; n: number; maxMs: number } {
  // Node needs a few thousand calls before the JIT has settled.
  return quick ? { warmup: 500, n: 1000, maxMs: 400 } : { warmup: 3000, n: 5000, maxMs: 1500 };
}

async function pingRound(family: string, ctx: RoundContext): Promise<Result> {
  const measure = (address: string) =>
    withClients(family, address, 1, async ([client]) =>
      latencyResult(await client!.ask<Samples>({ op: "ping", ...pingParams(ctx.quick) })),
    );
  // The MCP client spawns its own server over stdio, as an MCP host does.
  if (family === "mcp") return measure("");
  return withServer(family, ctx.dir, measure);
}

function pingCase(name: string, family: string, what: string): BenchCase {
  return {
    name,
    group: "latency",
    ours: family === "ours",
    what,
    round: (ctx) => pingRound(family, ctx),
  };
}

/** The round-trip cases written in Node. */
export const roundTripCases: BenchCase[] = [
  pingCase("tool-call-ping", "ours", "ToolClient.call('ping') to a ToolServer"),
  pingCase("fifo-raw", "fifo-raw", "bare FIFO pair in Node, one write(2) per message"),
  pingCase("uds", "uds", "Node Unix socket, JSON lines"),
  pingCase("http-keepalive", "http", "HTTP/1.1 POST, keep-alive, loopback"),
  pingCase("mcp-stdio", "mcp", "MCP SDK tools/call over stdio"),
];
