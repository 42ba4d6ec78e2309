/**
 * Unpacking a `.tar.bz2` model archive with the system's `tar` (GNU tar or bsdtar; both read
 * bzip2 and refuse member names that climb out of the target directory).
 */
import { execFile } from "node:child_process";
import { mkdir, readdir } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { ModelError } from "./errors.js";

const run = promisify(execFile);

/**
 * Unpacks `archive` into `dir` (created) and returns the model's directory: the archive's
 * single top-level directory, or `dir` itself when there is more than one entry.
 */
export async function extractTarBz2(archive: string, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  try {
    await run("tar", ["-xjf", archive, "-C", dir, "--no-same-owner"], {
      maxBuffer: 1 << 20,
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    const why =
      e.code === "ENOENT"
        ? "the tar program is missing (Debian: apt-get install tar bzip2)"
        : (e.stderr ?? e.message).trim().split("\n").at(-1);
    throw new ModelError("EEXTRACT", `cannot unpack ${archive}: ${why}`, { cause: err });
  }
  const entries = await readdir(dir, { withFileTypes: true });
  const only = entries[0];
  return entries.length === 1 && only?.isDirectory() ? path.join(dir, only.name) : dir;
}
