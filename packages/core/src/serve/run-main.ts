/**
 * Running a server type as a process's main: parse its options, start it, print the readiness
 * line, and wait until it stops. `cpipe --serve TYPE` and every package's own main use this one
 * function, so every type behaves the same: `--help` prints the usage and exits 0, a bad option
 * is one line on stderr and exit 2, a failure to start is one line and exit 1, and Ctrl-C,
 * SIGTERM or the `stop` command stop it cleanly with exit 0.
 */
import { PipeToolError } from "../errors.js";
import type { ToolServer } from "../server/tool-server.js";
import { parseServeArgs } from "./parse-options.js";
import type { ServerType } from "./server-type.js";
import { formatServeUsage } from "./usage.js";

/** How {@link runServerType} talks to its user. */
export interface RunIo {
  /** Starts every error line (`cpipe: --serve chat`) [the type's name]. */
  prefix?: string;
  /** The command that prints the usage (`cpipe --serve chat --help`) [`--help`]. */
  helpCommand?: string;
  /** The program as the usage line shows it [`cpipe --serve <type>`]. */
  prog?: string;
  /** Words an error that is not a usage error [its message]. */
  describe?: (err: unknown) => string;
  /** Prints one line once the server has stopped (undefined: nothing). */
  stopped?: (server: ToolServer) => string;
}

/** Exit codes of a server process. */
export const ServeExit = { Ok: 0, Failed: 1, Usage: 2 } as const;

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split("\n")[0] ?? "";
}

/**
 * Runs `type` with `args` until the server stops; resolves with the exit code (never rejects).
 */
export async function runServerType(
  type: ServerType,
  args: readonly string[],
  io: RunIo = {},
): Promise<number> {
  const prefix = io.prefix ?? type.name;
  const print = (line: string): void => void process.stderr.write(`${prefix}: ${line}\n`);
  let parsed;
  try {
    parsed = parseServeArgs(type, args);
  } catch (err) {
    print(`${firstLine(err)}; see '${io.helpCommand ?? "--help"}'`);
    return ServeExit.Usage;
  }
  if (parsed.help) {
    process.stdout.write(formatServeUsage(type, io.prog));
    return ServeExit.Ok;
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
    server = await type.start(parsed.options);
    if (stopRequested) void server.close();
    else process.stdout.write(`ready ${server.paths.upstream}\n`);
    await server.closed;
    if (io.stopped !== undefined) process.stderr.write(`${io.stopped(server)}\n`);
    return ServeExit.Ok;
  } catch (err) {
    if (err instanceof PipeToolError && (err.code === "EUSAGE" || err.code === "EINVAL")) {
      print(`${firstLine(err)}; see '${io.helpCommand ?? "--help"}'`);
      await server?.close();
      return ServeExit.Usage;
    }
    print(io.describe === undefined ? firstLine(err) : io.describe(err));
    await server?.close();
    return ServeExit.Failed;
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
}

/**
 * Runs `type` as this process's main (a package's `main.js`), with the process's arguments.
 * Resolves with the exit code.
 */
export function runServerMain(
  type: ServerType,
  args: readonly string[] = process.argv.slice(2),
): Promise<number> {
  return runServerType(type, args, { prog: type.name });
}
