/**
 * Finds programs on PATH without spawning anything.
 */
import { constants } from "node:fs";
import { access } from "node:fs/promises";
import path from "node:path";

/** The full path of `program` on PATH, or undefined. A path with a slash is checked as it is. */
export async function which(program: string): Promise<string | undefined> {
  const candidates = program.includes("/")
    ? [program]
    : (process.env["PATH"] ?? "")
        .split(path.delimiter)
        .filter(Boolean)
        .map((d) => path.join(d, program));
  for (const candidate of candidates) {
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}
