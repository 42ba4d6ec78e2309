/**
 * Finding the programs a mode needs on PATH, and saying which package brings the missing ones.
 */
import { findProgram } from "named-pipe-tools";

/**
 * Why some of `programs` (program -> Debian package) cannot run here: "missing a, b: apt-get
 * install pkg"; undefined when all are on PATH.
 */
export function missingPrograms(programs: Readonly<Record<string, string>>): string | undefined {
  const missing = Object.keys(programs).filter((p) => findProgram(p) === undefined);
  if (missing.length === 0) return undefined;
  const packages = [...new Set(missing.map((p) => programs[p]))].join(" ");
  return `missing ${missing.join(", ")}: apt-get install ${packages}`;
}
