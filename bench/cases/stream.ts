/**
 * Streamed events per second to one client: ours (`count`, a streaming command), the bare FIFO
 * (one write(2) per message), a Unix socket (one `socket.write` per message) and Server-Sent
 * Events. Each event is a small JSON object the client parses.
 */
import type { StreamResult } from "../peer/ops.js";
import { median } from "../stats.js";
import { withClients, withServer } from "./common.js";
import type { BenchCase, Result, RoundContext } from "./types.js";

function params(quick: boolean): { warmup: number; n: number; streams: number } {
  // The server queues a whole stream at once; 50k events stay well under its 8 MiB per-client cap.
  return quick
    ? { warmup: 2000, n: 10_000, streams: 1 }
    : { warmup: 20_000, n: 50_000, streams: 3 };
}

async function streamRound(family: string, ctx: RoundContext): Promise<Result> {
  const { warmup, n, streams } = params(ctx.quick);
  return withServer(family, ctx.dir, (address) =>
    withClients(family, address, 1, async ([client]) => {
      const rates: number[] = [];
      for (let i = 0; i < streams; i++) {
        const r = await client!.ask<StreamResult>({
          op: "stream",
          warmup: i === 0 ? warmup : 0,
          n,
        });
        if (r.events !== n) throw new Error(`${family}: got ${r.events} of ${n} events`);
        rates.push(r.events / (r.elapsedMs / 1000));
      }
      return { ops_per_s: median(rates) };
    }),
  );
}

function streamCase(name: string, family: string, what: string): BenchCase {
  return {
    name,
    group: "stream",
    ours: family === "ours",
    what,
    round: (ctx) => streamRound(family, ctx),
  };
}

/** The streaming cases. */
export const streamCases: BenchCase[] = [
  streamCase("stream-ours", "ours", "ToolClient.stream('count') events/s"),
  streamCase("stream-fifo-raw", "fifo-raw", "bare FIFO, one write(2) per event"),
  streamCase("stream-uds", "uds", "Unix socket, one socket.write per event"),
  streamCase("stream-sse", "http", "Server-Sent Events over HTTP/1.1"),
];
