/**
 * Where fetched models live: `$XDG_CACHE_HOME/named-pipe-tools/models`, else
 * `~/.cache/named-pipe-tools/models`.
 */
import { homedir } from "node:os";
import path from "node:path";

/** The models cache directory for `env` (default: this process's environment). */
export function modelCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env["XDG_CACHE_HOME"];
  // The XDG spec says a relative value is invalid and must be ignored.
  const home = env["HOME"] !== undefined && env["HOME"] !== "" ? env["HOME"] : homedir();
  const base = xdg !== undefined && path.isAbsolute(xdg) ? xdg : path.join(home, ".cache");
  return path.join(base, "named-pipe-tools", "models");
}
