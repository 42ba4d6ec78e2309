/**
 * Every bench case, in the order the table lists them.
 */
import { broadcastCase } from "./broadcast.js";
import { bulkCases } from "./bulk.js";
import { cFifoCase } from "./c-fifo.js";
import { natsCases } from "./nats.js";
import { clientsCases } from "./clients.js";
import { roundTripCases } from "./round-trip.js";
import { startupCases } from "./startup.js";
import { streamCases } from "./stream.js";
import type { BenchCase } from "./types.js";
import { voiceLoopCase } from "./voice-loop.js";

/** All cases. */
export const ALL_CASES: readonly BenchCase[] = [
  roundTripCases[0]!,
  roundTripCases[1]!,
  cFifoCase,
  ...roundTripCases.slice(2),
  ...streamCases,
  ...natsCases,
  ...clientsCases,
  ...bulkCases,
  broadcastCase,
  ...startupCases,
  voiceLoopCase,
];

export type { BenchCase, Result } from "./types.js";
