/**
 * Thread count for llama.cpp. Its default (every logical core, or more) is catastrophic on small
 * machines: on 2 cores it oversubscribes the CPU with the event loop and the client, and
 * generation drops from thousands of tokens/s to 2-3 (see NOTES-environment.md).
 */
import { availableParallelism } from "node:os";

/**
 * Threads to use on a machine with `cores` logical cores: 1 up to 2 cores, then about half
 * (roughly the physical cores), always leaving one core for Node's event loop and the clients.
 */
export function defaultThreads(cores: number = availableParallelism()): number {
  if (cores <= 2) return 1;
  return Math.max(1, Math.min(cores - 1, Math.ceil(cores / 2)));
}
