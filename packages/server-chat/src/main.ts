#!/usr/bin/env node
/**
 * Runs the chat server: `node dist/packages/server-chat/src/main.js [options]` (see --help).
 * Prints `ready <upstream path>` on stdout once it listens (the model may still be loading:
 * state `loading`); exits 1 with a one-line error when it cannot start.
 */
import { serverType } from "./server-type.js";

const args = process.argv.slice(2);
if (args.includes("--help") || args.includes("-h")) {
  process.stdout.write(`usage: main.js [options]\n${serverType.usage}\n`);
} else {
  try {
    const server = await serverType.start(args, {});
    process.stdout.write(`ready ${server.paths.upstream}\n`);
    await server.closed;
  } catch (err) {
    process.stderr.write(`chat: ${(err as Error).message.split("\n")[0]}\n`);
    process.exitCode = 1;
  }
}
