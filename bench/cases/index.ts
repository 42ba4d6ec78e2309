/**
 * Every bench case, in the order the table lists them.
 */
import { broadcastCase } from "./broadcast.js";
import { bulkCases } from "./bulk.js";
import { cBulkCase, cFifoCase, cFifoPinnedCase } from "./c-fifo.js";
import { chatCases } from "./chat-tokens.js";
import { natsCases } from "./nats.js";
import { clientsCases } from "./clients.js";
import { pinnedRoundTripCases, roundTripCases } from "./round-trip.js";
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
  pinnedRoundTripCases[0]!,
  pinnedRoundTripCases[1]!,
  cFifoPinnedCase,
  ...pinnedRoundTripCases.slice(2),
  ...streamCases,
  ...natsCases,
  ...clientsCases,
  ...bulkCases,
  cBulkCase,
  broadcastCase,
  ...chatCases,
  ...startupCases,
  voiceLoopCase,
];

export type { BenchCase, Result } from "./types.js";
