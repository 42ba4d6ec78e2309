/**
 * Helpers shared by the cases: server and client processes, and turning samples into results.
 */
import type { Samples } from "../peer/ops.js";
import { Peer, stopAll } from "../proc.js";
import { summarize } from "../stats.js";
import type { Result } from "./types.js";

/**
 * The command that pins a process to one CPU: a server and a client pinned together take turns
 * on it, so a round trip pays no wake-up of an idle virtual CPU (see bench/README.md).
 */
export const PIN: readonly string[] = ["taskset", "-c", "0"];

/** Starts `family`'s server in its own process, runs `fn` with its address, stops it. */
export async function withServer<T>(
  family: string,
  dir: string,
  fn: (address: string) => Promise<T>,
  wrap: readonly string[] = [],
): Promise<T> {
  const server = Peer.node(`${family} server`, ["serve", family, dir], { wrap });
  try {
    const { address } = await server.ready();
    return await fn(address as string);
  } finally {
    await server.stop();
  }
}

/**
 * Starts `count` client processes of `family` (in parallel) and waits until all are connected;
 * `data` opens their binary data channels too.
 */
export async function startClients(
  family: string,
  address: string,
  count = 1,
  data = false,
  wrap: readonly string[] = [],
): Promise<Peer[]> {
  const args = ["client", family, address, ...(data ? ["data"] : [])];
  const peers = Array.from({ length: count }, (_, i) =>
    Peer.node(`${family} client ${i}`, args, { wrap }),
  );
  try {
    await Promise.all(peers.map((p) => p.ready()));
  } catch (err) {
    await stopAll(peers, 0);
    throw err;
  }
  return peers;
}

/** Runs `fn` with `count` connected clients (see {@link startClients}), then stops them. */
export async function withClients<T>(
  family: string,
  address: string,
  count: number,
  fn: (clients: Peer[]) => Promise<T>,
  data = false,
  wrap: readonly string[] = [],
): Promise<T> {
  const clients = await startClients(family, address, count, data, wrap);
  try {
    return await fn(clients);
  } finally {
    await stopAll(clients);
  }
}

/** Round-trip samples (µs) as a result; `bytesPerOp` adds MB/s (1 MB = 10^6 bytes). */
export function latencyResult(s: Samples, bytesPerOp?: number): Result {
  const { p50, p99, mean } = summarize(s.samples);
  const opsPerS = s.samples.length / (s.elapsedMs / 1000);
  const out: Result = { p50_us: p50, p99_us: p99, mean_us: mean, ops_per_s: opsPerS };
  if (bytesPerOp !== undefined) out.mb_per_s = (opsPerS * bytesPerOp) / 1e6;
  return out;
}
