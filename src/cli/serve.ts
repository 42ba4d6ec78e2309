/**
 * `cpipe --serve TYPE [--name NAME] [--dir DIR] [TYPE OPTIONS]`: runs a server in the foreground.
 * Prints `ready <upstream path>` on stdout once it serves; stops (removing its pipes) on Ctrl-C,
 * SIGTERM or the `stop` command, and then exits 0.
 */
import type { ToolServer } from "../server/tool-server.js";
import type { ServeCommand } from "./args.js";
import { ExitCode, UsageError, describeFailure, printError } from "./errors.js";
import type { ServerTypeModule } from "./servers.js";
import { BrokenPackageError, NotInstalledError, SERVER_TYPES } from "./servers.js";

function isUsageProblem(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return (
    err instanceof TypeError || (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS"))
  );
}

/** Runs `cpipe --serve`; resolves with the exit code once the server has stopped. */
export async function runServe(cmd: ServeCommand): Promise<number> {
  const entry = Object.hasOwn(SERVER_TYPES, cmd.type) ? SERVER_TYPES[cmd.type] : undefined;
  if (entry === undefined) {
    const known = Object.keys(SERVER_TYPES).join(", ");
    const err = new UsageError(`unknown server type '${cmd.type}' (known types: ${known})`);
    printError(describeFailure(err, { target: cmd.type, phase: "connect" }).line);
    return ExitCode.Usage;
  }
  let type: ServerTypeModule;
  try {
    type = await entry.load();
  } catch (err) {
    if (err instanceof NotInstalledError) {
      printError(
        `server type '${cmd.type}' (${entry.description}) is not installed: it is the workspace package packages/${err.packageDir}; in a clone of named-pipe-tools run 'npm ci' (it installs and builds it), then 'cpipe --serve ${cmd.type}' again`,
      );
    } else if (err instanceof BrokenPackageError) {
      printError(
        `server type '${cmd.type}': ${err.message}; install its dependencies with 'npm install -w packages/${err.packageDir}' and rebuild with 'npm run build'`,
      );
    } else {
      printError(`server type '${cmd.type}' failed to load: ${(err as Error).message}`);
    }
    return ExitCode.Failed;
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
