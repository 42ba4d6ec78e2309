/**
 * Finding and loading an installed npm package by name, as `cpipe --serve TYPE` and `cpipe mcp`
 * do: in the project around the working directory, beside cpipe itself (the same global prefix
 * or the same node_modules), on NODE_PATH, and in Node's own global prefix. When it is absent,
 * {@link installCommand} gives the exact command that installs it where cpipe can find it.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { PipeToolError } from "../errors.js";
import { isRecord } from "../protocol/messages.js";
import { shellWord } from "../util/shell-word.js";

/** The name of the core package, which holds cpipe. */
export const CORE_PACKAGE = "named-pipe-tools";

/** The directory of the core package this cpipe runs from. */
export function coreDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, "package.json");
    if (existsSync(manifest)) {
      try {
        if (
          (JSON.parse(readFileSync(manifest, "utf8")) as { name?: unknown }).name === CORE_PACKAGE
        )
          return dir;
      } catch {
        // not a manifest we can read: keep looking upwards
      }
    }
    const up = path.dirname(dir);
    if (up === dir) return path.resolve(fileURLToPath(import.meta.url), "../../../..");
    dir = up;
  }
}

/** The `node_modules` folders searched for a package, nearest first, without duplicates. */
export function searchPaths(cwd = process.cwd()): string[] {
  const out: string[] = [];
  const add = (dir: string): void => {
    if (!out.includes(dir)) out.push(dir);
  };
  const walk = (start: string): void => {
    for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
      if (path.basename(dir) !== "node_modules") add(path.join(dir, "node_modules"));
      if (path.dirname(dir) === dir) return;
    }
  };
  walk(cwd);
  walk(coreDir());
  for (const dir of (process.env["NODE_PATH"] ?? "").split(path.delimiter)) {
    if (dir !== "") add(path.resolve(dir));
  }
  add(path.join(path.dirname(path.dirname(process.execPath)), "lib", "node_modules"));
  return out;
}

const PACKAGE_NAME_RE = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;

/** Whether `name` is a valid npm package name (lowercase, optionally scoped). */
export function isPackageName(name: string): boolean {
  return name.length <= 214 && PACKAGE_NAME_RE.test(name);
}

type Exports = string | null | Exports[] | { [key: string]: Exports };

const CONDITIONS = ["node", "import", "default"];

function pickExport(value: Exports | undefined): string | undefined {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) {
    for (const v of value) {
      const hit = pickExport(v);
      if (hit !== undefined) return hit;
    }
    return undefined;
  }
  if (value === null || value === undefined) return undefined;
  for (const [key, v] of Object.entries(value)) {
    if (CONDITIONS.includes(key)) {
      const hit = pickExport(v);
      if (hit !== undefined) return hit;
    }
  }
  return undefined;
}

/** The file a package's main entry point (`exports["."]`, else `main`, else index.js) names. */
function entryOf(dir: string, name: string): string {
  let manifest: { exports?: Exports; main?: unknown };
  try {
    manifest = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as typeof manifest;
  } catch (err) {
    throw new PipeToolError("EBADPACKAGE", `${name}: cannot read ${dir}/package.json`, {
      cause: err,
    });
  }
  const exp = manifest.exports;
  const rootExport = isRecord(exp) && "." in exp ? exp["."] : exp;
  const rel =
    pickExport(rootExport) ?? (typeof manifest.main === "string" ? manifest.main : "index.js");
  const file = path.resolve(dir, rel);
  if (!file.startsWith(dir + path.sep)) {
    throw new PipeToolError("EBADPACKAGE", `${name}: its entry point ${rel} is outside it`);
  }
  return file;
}

/** Where a package is installed, or undefined. */
export function findPackage(name: string, cwd = process.cwd()): string | undefined {
  for (const modules of searchPaths(cwd)) {
    const dir = path.join(modules, ...name.split("/"));
    if (existsSync(path.join(dir, "package.json"))) return dir;
  }
  return undefined;
}

/**
 * Imports an installed package by name.
 * @throws PipeToolError `ENOTINSTALLED` when it is not found, `EBADPACKAGE` when it is found
 *   but cannot be loaded (not built, a dependency missing, ...)
 */
export async function importPackage(name: string): Promise<Record<string, unknown>> {
  const dir = findPackage(name);
  if (dir === undefined) {
    throw new PipeToolError("ENOTINSTALLED", `package ${name} is not installed`);
  }
  const file = entryOf(dir, name);
  if (!existsSync(file)) {
    throw new PipeToolError(
      "EBADPACKAGE",
      `${name} (${dir}) is not built: ${path.relative(dir, file)} is missing`,
    );
  }
  return importFile(file, name);
}

/** Imports a module file; a failure is `EBADPACKAGE` naming `what`. */
export async function importFile(file: string, what: string): Promise<Record<string, unknown>> {
  try {
    return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (err) {
    throw new PipeToolError(
      "EBADPACKAGE",
      `${what} cannot be loaded: ${(err as Error).message.split("\n")[0]}`,
      { cause: err },
    );
  }
}

/**
 * The exact command that installs `name` where this cpipe finds it: into the same global
 * prefix when cpipe is installed globally, into the same project when it is a project's
 * dependency.
 */
export function installCommand(name: string): string {
  const core = coreDir();
  const modules = path.dirname(core);
  if (path.basename(modules) !== "node_modules") {
    // A clone of the repository: every package is a workspace package.
    return `npm ci (in the clone ${core.replace(/\/packages\/core$/, "")})`;
  }
  const parent = path.dirname(modules);
  if (path.basename(parent) === "lib") {
    const prefix = path.dirname(parent);
    const nodePrefix = path.dirname(path.dirname(process.execPath));
    return prefix === nodePrefix
      ? `npm install -g ${name}`
      : `npm install -g --prefix ${shellWord(prefix)} ${name}`;
  }
  return `npm install --prefix ${shellWord(parent)} ${name}`;
}
