/**
 * Finding a program on PATH without running anything.
 */
import { accessSync, constants } from "node:fs";
import path from "node:path";

/**
 * The full path of the executable `program` on `env`'s PATH, or undefined. A name with a slash
 * is a path, checked as it is. Used to pick engines, players and recorders, and to say what is
 * missing before anything is spawned.
 */
export function findProgram(
  program: string,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const candidates = program.includes("/")
    ? [program]
    : (env["PATH"] ?? "")
        .split(path.delimiter)
        .filter((dir) => dir !== "")
        .map((dir) => path.join(dir, program));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}
