/**
 * The `main` of a server process: parse its own options, start it, print the readiness line,
 * and wait until it stops. Shared by the demo and every ready-made server.
 */
import type { ToolServer } from "./tool-server.js";

/** Options every server type gets from `cpipe --serve` (or leaves at their defaults). */
export interface ServeCommon {
  /** Serve under this tool name instead of the type's. */
  name?: string;
  /** Pipe directory. */
  dir?: string;
  /** Where diagnostics go. */
  log?: (line: string) => void;
}

/** A server type as `cpipe --serve TYPE` and server mains use it. */
export interface ServerType {
  /** Type name (`demo`, `chat`, ...). */
  name: string;
  /** One line. */
  description: string;
  /** Its own options, for `--help`. */
  usage: string;
  /**
   * Parses its own options, creates the server, awaits `listen()` and returns it. Option
   * errors are `TypeError`s (or `node:util` parseArgs errors).
   */
  start(args: string[], common: ServeCommon): Promise<ToolServer>;
}

/**
 * Runs `type` as this process's main: `--help` prints its usage; otherwise it starts, prints
 * `ready <upstream path>` on stdout once serving, and resolves with 0 when the server stops, or
 * with 1 after a one-line error on stderr when it cannot start.
 */
export async function runServerMain(
  type: ServerType,
  args = process.argv.slice(2),
): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(`${type.description}\n\n${type.usage}\n`);
    return 0;
  }
  try {
    const server = await type.start(args, {});
    process.stdout.write(`ready ${server.paths.upstream}\n`);
    await server.closed;
    return 0;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`${type.name}: ${message.split("\n")[0]}\n`);
    return 1;
  }
}
