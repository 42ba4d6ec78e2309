/**
 * cpipe over NATS: `--export`, `--import`, `--list nats://...` and `nats://HOST:PORT/NAME CMD`
 * belong to the package named-pipe-tools-nats, loaded only for them.
 */
import { loadPackageFunction } from "../serve/load-type.js";
import { ExitCode, printError } from "./errors.js";

type RunNatsCli = (argv: string[]) => Promise<number>;

/** Runs a NATS command line; resolves with the exit code. */
export async function runNats(argv: string[]): Promise<number> {
  let run: RunNatsCli;
  try {
    run = await loadPackageFunction<RunNatsCli>(
      "named-pipe-tools-nats",
      "pipe tools over NATS",
      "runNatsCli",
    );
  } catch (err) {
    printError((err as Error).message);
    return ExitCode.Failed;
  }
  return run(argv);
}
