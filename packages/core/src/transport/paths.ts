/**
 * Pipe names and paths. Wire-compatible with the reference layout:
 * `<dir>/tool-<name>` (upstream), `<dir>/tool-<name>-<pid>` (downstream), and the data pipes
 * `<dir>/tool-<name>-data` / `<dir>/tool-<name>-data-<pid>`. Our clients add a random client
 * token (`-c<hex>`) to their downstream names so several clients can live in one process and a
 * reused pid never inherits a stale pipe, and name their private upstream pipes (protocol
 * revision 2) after their downstream ones with `-up`.
 */
import os from "node:os";
import path from "node:path";
import { PipeToolError } from "../errors.js";

/** Environment variable that overrides the default pipe directory. */
export const PIPE_DIR_ENV = "PIPE_TOOLS_DIR";

/** Bytes a single write(2) to a pipe is guaranteed to deliver atomically (PIPE_BUF). */
export const ATOMIC_WRITE_BYTES = process.platform === "linux" ? 4096 : 512;

const NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;
const DOWNSTREAM_SUFFIX_RE = /-\d+(-c[0-9a-f]+(-up)?)?$/;
const CLIENT_TOKEN_RE = /^c[0-9a-f]{1,16}$/;

/**
 * Checks that `name` is one safe path component usable as a tool name: 1-64 characters of
 * letters, digits, `_`, `.`, `-`, not starting with `-` or `.`, and not ending like a downstream
 * or data pipe (`-<digits>`, `-data`).
 * @throws PipeToolError `EBADNAME`
 */
export function validateToolName(name: unknown): string {
  if (typeof name !== "string" || !NAME_RE.test(name)) {
    throw new PipeToolError(
      "EBADNAME",
      `invalid tool name ${JSON.stringify(name)}: use 1-64 letters, digits, '_', '.', '-', not starting with '-' or '.'`,
    );
  }
  if (DOWNSTREAM_SUFFIX_RE.test(name) || name.endsWith("-data") || name.includes("..")) {
    throw new PipeToolError(
      "EBADNAME",
      `invalid tool name ${JSON.stringify(name)}: it must not end in '-<digits>' or '-data', nor contain '..'`,
    );
  }
  return name;
}

/** Checks a client token (`c` + 1-16 lowercase hex digits). */
export function isClientToken(value: unknown): value is string {
  return typeof value === "string" && CLIENT_TOKEN_RE.test(value);
}

/** The default pipe directory: `$PIPE_TOOLS_DIR`, else `/tmp` as in the reference. */
export function defaultPipeDir(): string {
  const fromEnv = process.env[PIPE_DIR_ENV];
  return fromEnv !== undefined && fromEnv !== "" ? fromEnv : "/tmp";
}

/**
 * Where the per-user private directory is: `$XDG_RUNTIME_DIR/named-pipe-tools` when set, else
 * `/tmp/named-pipe-tools-<uid>`. Only the path; `privatePipeDir()` (transport/private-dir.ts)
 * also creates and checks it.
 */
export function privatePipeDirPath(): string {
  const xdg = process.env["XDG_RUNTIME_DIR"];
  if (xdg !== undefined && xdg !== "" && path.isAbsolute(xdg)) {
    return path.join(xdg, "named-pipe-tools");
  }
  return path.join(os.tmpdir(), `named-pipe-tools-${os.userInfo().uid}`);
}

/** Paths owned by a server. */
export interface ServerPaths {
  upstream: string;
  dataUpstream: string;
}

/** Paths owned by one client. */
export interface ClientPaths {
  downstream: string;
  dataDownstream: string;
  /** Its private upstream pipe (revision 2, our clients only): `<downstream>-up`. */
  upstream: string;
  /** Its private data upstream pipe: `<dataDownstream>-up`. */
  dataUpstream: string;
}

/** The server-side pipe paths of tool `name` in `dir`. */
export function serverPaths(name: string, dir: string): ServerPaths {
  validateToolName(name);
  return {
    upstream: path.join(dir, `tool-${name}`),
    dataUpstream: path.join(dir, `tool-${name}-data`),
  };
}

/** The client-side pipe paths of a client of tool `name`. */
export function clientPaths(
  name: string,
  dir: string,
  pid: number,
  client: string | undefined,
): ClientPaths {
  const suffix = client === undefined ? `${pid}` : `${pid}-${client}`;
  const downstream = path.join(dir, `tool-${name}-${suffix}`);
  const dataDownstream = path.join(dir, `tool-${name}-data-${suffix}`);
  return {
    downstream,
    dataDownstream,
    upstream: `${downstream}-up`,
    dataUpstream: `${dataDownstream}-up`,
  };
}

/**
 * Tells what a `tool-*` file name is: an upstream pipe (with its tool name), or a downstream or
 * data pipe (`kind: "other"`), or not ours at all (`null`).
 */
export function classifyPipeName(
  fileName: string,
): { kind: "upstream"; tool: string } | { kind: "other" } | null {
  if (!fileName.startsWith("tool-")) return null;
  const rest = fileName.slice(5);
  if (DOWNSTREAM_SUFFIX_RE.test(rest) || rest.endsWith("-data")) return { kind: "other" };
  try {
    return { kind: "upstream", tool: validateToolName(rest) };
  } catch {
    return null;
  }
}
