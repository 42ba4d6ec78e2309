/**
 * The per-user private pipe directory: no other user can list, create, rename or delete names
 * in it, which a shared sticky directory such as /tmp cannot promise.
 */
import fs from "node:fs";
import { PipeToolError } from "../errors.js";
import { privateDirReason } from "./fifo.js";
import { privatePipeDirPath } from "./paths.js";

/**
 * The per-user private directory, `$XDG_RUNTIME_DIR/named-pipe-tools` when set, else
 * `/tmp/named-pipe-tools-<uid>`, created 0700 when missing. An existing one is accepted only
 * when it is a real directory owned by this user with no group or other bits: another user who
 * made it first (even sticky 1777, like /tmp) could otherwise list, rename and delete our pipes.
 * Tools there are invisible to reference clients, which look in /tmp.
 * @throws PipeToolError `EUNSAFEPIPE` when the directory is not private, `EIO` when it cannot be
 *   created.
 */
export function privatePipeDir(): string {
  const dir = privatePipeDirPath();
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") {
      throw new PipeToolError(
        "EIO",
        `cannot create private pipe directory ${dir}: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }
  const reason = privateDirReason(fs.lstatSync(dir));
  if (reason !== undefined) {
    throw new PipeToolError("EUNSAFEPIPE", `refusing private pipe directory ${dir}: ${reason}`);
  }
  return dir;
}
