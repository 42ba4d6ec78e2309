/**
 * The `main` of a server process: parse its own options, start it, print the readiness line,
 * and wait until it stops. Shared by the demo and every ready-made server.
 */
import type { ToolServer } from "./tool-server.js";

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
  start(
    args: string[],
    common: { name?: string; dir?: string; log?: (line: string) => void },
  ): Promise<ToolServer>;
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
