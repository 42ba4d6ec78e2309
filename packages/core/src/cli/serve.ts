/**
 * `cpipe --serve TYPE [--name NAME] [--dir DIR] [--config FILE] [TYPE OPTIONS] [-- REST]`: runs
 * a server in the foreground (see src/serve/run-main.ts for what every type does).
 */
import { PipeToolError } from "../errors.js";
import type { ServerType } from "../serve/server-type.js";
import { runServerType } from "../serve/run-main.js";
import type { ServeCommand } from "./args.js";
import { ExitCode, describeFailure, printError } from "./errors.js";
import { loadServerType } from "../serve/load-type.js";

/** Runs `cpipe --serve`; resolves with the exit code once the server has stopped. */
export async function runServe(cmd: ServeCommand): Promise<number> {
  let type: ServerType;
  try {
    type = await loadServerType(cmd.type);
  } catch (err) {
    const usage = err instanceof PipeToolError && err.code === "EUSAGE";
    printError(`--serve ${cmd.type}: ${(err as Error).message}`);
    return usage ? ExitCode.Usage : ExitCode.Failed;
  }
  const common = [
    ...(cmd.name === undefined ? [] : ["--name", cmd.name]),
    ...(cmd.dir === undefined ? [] : ["--dir", cmd.dir]),
  ];
  return runServerType(type, [...common, ...cmd.args], {
    prefix: `cpipe: --serve ${cmd.type}`,
    helpCommand: `cpipe --serve ${cmd.type} --help`,
    prog: `cpipe --serve ${cmd.type}`,
    describe: (err) =>
      describeFailure(err, { target: cmd.name ?? type.name, phase: "connect" }).line,
    stopped: (server) => `cpipe: ${server.name} stopped`,
  });
}
