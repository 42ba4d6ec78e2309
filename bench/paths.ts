/**
 * Where the bench finds its compiled scripts and sources.
 */
import { fileURLToPath } from "node:url";

/** The child-process entry point of every Node peer. */
export const PEER_MAIN = fileURLToPath(new URL("./peer/main.js", import.meta.url));
/** The C floor's source. */
export const C_SOURCE = fileURLToPath(new URL("../../bench/c/fifo_pingpong.c", import.meta.url));
/** The cpipe CLI as installed: the core package's `bin`, bundled by `npm run build`. */
export const CLI_MAIN = fileURLToPath(
  new URL("../../packages/core/dist/src/cli/cpipe.js", import.meta.url),
);
/** The voice agent example's entry point (its loopback is the voice-loop case). */
export const VOICE_AGENT_MAIN = fileURLToPath(
  new URL("../examples/voice-agent/main.js", import.meta.url),
);
/** Default results JSON (committed so that the README can show it). */
export const DEFAULT_JSON = fileURLToPath(
  new URL("../../bench/results/latest.json", import.meta.url),
);
/** Default chart (committed so that the README can show it). */
export const DEFAULT_SVG = fileURLToPath(
  new URL("../../bench/results/latest.svg", import.meta.url),
);
/** The benchmark README, whose results block `--readme` rewrites. */
export const README = fileURLToPath(new URL("../../bench/README.md", import.meta.url));
