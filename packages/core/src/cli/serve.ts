/**
 * `cpipe --serve TYPE [--name NAME] [--dir DIR] [TYPE OPTIONS]`: runs a server in the foreground.
 * Prints `ready <upstream path>` on stdout once it serves; stops (removing its pipes) on Ctrl-C,
 * SIGTERM or the `stop` command, and then exits 0.
 */
import type { ToolServer } from "../server/tool-server.js";
import type { ServeCommand } from "./args.js";
import { ExitCode, describeFailure, printError } from "./errors.js";
import type { ServerType } from "../server/run-main.js";
import { PipeToolError } from "../errors.js";
import { loadServerType } from "./servers.js";

function isUsageProblem(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return (
    err instanceof TypeError || (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS"))
  );
}

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
  if (cmd.args.includes("--help") || cmd.args.includes("-h")) {
    process.stdout.write(`${type.description}\n\n${type.usage}\n`);
    return ExitCode.Ok;
  }
  let server: ToolServer | undefined;
  let stopRequested = false;
  const stop = (): void => {
    stopRequested = true;
    void server?.close();
  };
  // Registered before the server's own handlers, so a signal ends in a clean exit 0.
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  try {
    server = await type.start(cmd.args, {
      ...(cmd.name === undefined ? {} : { name: cmd.name }),
      ...(cmd.dir === undefined ? {} : { dir: cmd.dir }),
    });
    if (stopRequested) void server.close();
    else process.stdout.write(`ready ${server.paths.upstream}\n`);
    await server.closed;
    printError(`${server.name} stopped`);
    return ExitCode.Ok;
  } catch (err) {
    if (isUsageProblem(err)) {
      printError(
        `--serve ${cmd.type}: ${(err as Error).message} (see 'cpipe --serve ${cmd.type} --help')`,
      );
      return ExitCode.Usage;
    }
    const { code, line } = describeFailure(err, { target: cmd.name ?? cmd.type, phase: "connect" });
    printError(line);
    await server?.close();
    return code;
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
}
