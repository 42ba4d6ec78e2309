#!/usr/bin/env node
/**
 * The voice agent example: `npm run voice-agent -- [options]` (see options.ts, or --help).
 * Exit codes: 0 done, 1 failed (a server, a turn), 2 bad command line.
 */
import { runLive } from "./live.js";
import { runLoopback } from "./loopback.js";
import { USAGE, UsageError, parseAgentArgs } from "./options.js";
import { consoleUi } from "./ui.js";

async function main(argv: string[]): Promise<number> {
  let opts;
  try {
    opts = parseAgentArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`voice-agent: ${err.message} (--help lists the options)\n`);
    return 2;
  }
  if (opts === undefined) {
    process.stdout.write(USAGE);
    return 0;
  }
  const ui = consoleUi(opts.json);
  const abort = new AbortController();
  const stop = (): void => abort.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    return opts.loopback === undefined
      ? await runLive(opts, ui, abort.signal)
      : await runLoopback(opts, ui, abort.signal);
  } catch (err) {
    process.stderr.write(`voice-agent: ${(err as Error).message}\n`);
    return 1;
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
}

process.exitCode = await main(process.argv.slice(2));
