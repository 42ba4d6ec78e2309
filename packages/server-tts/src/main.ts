#!/usr/bin/env node
/**
 * Runs the tts server: `node dist/packages/server-tts/src/main.js [options]` (see USAGE).
 * Prints `ready <upstream path>` on stdout once it serves with the engine loaded; exits 1 with a
 * one-line error when it cannot start.
 */
import { USAGE, serverType } from "./options.js";

const args = process.argv.slice(2);
if (args.includes("--help") || args.includes("-h")) {
  process.stdout.write(`${serverType.description}\n\n${USAGE}\n`);
} else {
  try {
    const server = await serverType.start(args, {});
    process.stdout.write(`ready ${server.paths.upstream}\n`);
    await server.closed;
  } catch (err) {
    process.stderr.write(`tts: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}
