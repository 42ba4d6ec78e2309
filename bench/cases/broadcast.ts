/**
 * Broadcast to 16 subscribers, each a client in its own process. Subscriber 0 also publishes:
 * it calls the demo's `shout` command (which broadcasts to every subscriber) one call at a time,
 * stamping each with a monotonic clock shared by the processes. Reported: the time until the
 * last of the 16 has a broadcast (p50/p99/mean) and deliveries per second.
 */
import type { ListenResult, PublishResult } from "../peer/ops.js";
import { summarize } from "../stats.js";
import { withClients, withServer } from "./common.js";
import type { BenchCase, Result, RoundContext } from "./types.js";

const SUBSCRIBERS = 16;

function params(quick: boolean): { warmup: number; n: number } {
  return quick ? { warmup: 20, n: 100 } : { warmup: 50, n: 300 };
}

async function round(ctx: RoundContext): Promise<Result> {
  const { warmup, n } = params(ctx.quick);
  const total = warmup + n;
  return withServer("ours", ctx.dir, (address) =>
    withClients("ours", address, SUBSCRIBERS, async (clients) => {
      for (const c of clients) c.send({ op: "listen", total });
      await Promise.all(clients.map((c) => c.next()));
      const publisher = clients[0]!;
      publisher.send({ op: "publish", warmup, n });
      // The publisher answers twice (its own listen result and the publish result), in any order.
      const mine = [await publisher.next(), await publisher.next()];
      const pub = mine.find((m) => "startAbsUs" in m) as unknown as PublishResult;
      const listens = [
        mine.find((m) => "latencies" in m) as unknown as ListenResult,
        ...(await Promise.all(clients.slice(1).map((c) => c.next()))),
      ] as ListenResult[];
      const toAll: number[] = [];
      for (let seq = warmup; seq < total; seq++) {
        toAll.push(Math.max(...listens.map((l) => l.latencies[seq] ?? Number.NaN)));
      }
      const { p50, p99, mean } = summarize(toAll);
      const lastUs = Math.max(...listens.map((l) => l.lastAbsUs));
      const deliveries = SUBSCRIBERS * n;
      return {
        p50_us: p50,
        p99_us: p99,
        mean_us: mean,
        ops_per_s: deliveries / ((lastUs - pub.startAbsUs) / 1e6),
      };
    }),
  );
}

/** The broadcast case. */
export const broadcastCase: BenchCase = {
  name: "broadcast-16-ours",
  group: "broadcast",
  ours: true,
  what: "shout to 16 subscriber processes: time to the last one; deliveries/s",
  round,
};
