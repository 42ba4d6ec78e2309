/**
 * cpipe over NATS: `--export`, `--import`, `--list nats://...` and `nats://HOST:PORT/NAME CMD`
 * belong to the package named-pipe-tools-nats, loaded only for them.
 */
import { PipeToolError } from "../errors.js";
import { ExitCode, printError } from "./errors.js";
import { loadPackage } from "./servers.js";

/** Runs a NATS command line; resolves with the exit code. */
export async function runNats(argv: string[]): Promise<number> {
  let run: (argv: string[]) => Promise<number>;
  try {
    const mod = await loadPackage("named-pipe-tools-nats", "pipe tools over NATS");
    if (typeof mod["runNatsCli"] !== "function") {
      throw new PipeToolError("EBADPACKAGE", "named-pipe-tools-nats exports no runNatsCli()");
    }
    run = mod["runNatsCli"] as typeof run;
  } catch (err) {
    printError((err as Error).message);
    return ExitCode.Failed;
  }
  return run(argv);
}
