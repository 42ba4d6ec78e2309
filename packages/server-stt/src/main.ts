#!/usr/bin/env node
/**
 * Runs the stt server: `node dist/packages/server-stt/src/main.js [options]` (see --help).
 * Prints `ready <upstream path>` on stdout once it serves and its engine is loaded; exits 1 with
 * a one-line error when it cannot start.
 */
import { USAGE } from "./options.js";
import { serverType } from "./index.js";

const args = process.argv.slice(2);
if (args.includes("--help") || args.includes("-h")) {
  process.stdout.write(`usage: stt-server [options]\n${USAGE}\n`);
} else {
  try {
    const server = await serverType.start(args, {});
    process.stdout.write(`ready ${server.paths.upstream}\n`);
    await server.closed;
  } catch (err) {
    process.stderr.write(`stt: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}
