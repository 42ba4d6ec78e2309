/**
 * The server types `cpipe --serve TYPE` knows, and how it loads one. The demo ships with the
 * core; each other ready-made type is an npm package of its own that exports `serverType` (the
 * contract in src/server/run-main.ts), found by package name wherever it is installed (see
 * packages.ts). A third-party type is any package name, or a module file path, with the same
 * export.
 */
import path from "node:path";
import { PipeToolError } from "../errors.js";
import type { ServerType } from "./server-type.js";
import { importFile, importPackage, installCommand, isPackageName } from "./packages.js";

/** A ready-made server type: where it comes from. */
export interface KnownServerType {
  description: string;
  /** Its npm package (undefined: part of the core). */
  packageName?: string;
}

/** The ready-made types, by the short name `cpipe --serve` takes. */
export const KNOWN_SERVER_TYPES: Readonly<Record<string, KnownServerType>> = {
  demo: { description: "the demo tool: echo, count (streaming), sleep, fail, shout, binary echo" },
  chat: {
    description: "LLM chat (node-llama-cpp, or an OpenAI-compatible endpoint)",
    packageName: "named-pipe-tools-chat",
  },
  tts: { description: "text to speech (espeak-ng)", packageName: "named-pipe-tools-tts" },
  stt: {
    description: "speech to text (pocketsphinx, whisper.cpp)",
    packageName: "named-pipe-tools-stt",
  },
  mcp: {
    description: "any stdio MCP server, wrapped as a pipe tool",
    packageName: "named-pipe-tools-mcp",
  },
};

/** Whether a `--serve` argument names a module file rather than a type or a package. */
function isFilePath(spec: string): boolean {
  return (
    spec.startsWith("./") ||
    spec.startsWith("../") ||
    path.isAbsolute(spec) ||
    /\.(m?js|cjs)$/.test(spec)
  );
}

function checkType(mod: Record<string, unknown>, what: string): ServerType {
  const type = mod["serverType"] as Partial<ServerType> | undefined;
  if (typeof type?.start !== "function" || typeof type.name !== "string") {
    throw new PipeToolError(
      "EBADPACKAGE",
      `${what} exports no server type (an export 'serverType' with name and start())`,
    );
  }
  return type as ServerType;
}

/**
 * Loads a server type: a ready-made one by its short name (`chat`), a package by its name
 * (`my-tool-package`), or a module file (`./my-type.js`).
 * @throws PipeToolError `EUSAGE` for a name that is none of these, `ENOTINSTALLED` (its message
 *   gives the install command), `EBADPACKAGE`
 */
export async function loadServerType(spec: string): Promise<ServerType> {
  if (spec === "demo") return (await import("../demo/server-type.js")).serverType;
  if (isFilePath(spec)) {
    const file = path.resolve(spec);
    return checkType(await importFile(file, file), file);
  }
  const known = Object.hasOwn(KNOWN_SERVER_TYPES, spec) ? KNOWN_SERVER_TYPES[spec] : undefined;
  const packageName = known?.packageName ?? spec;
  if (!isPackageName(packageName)) {
    const names = Object.keys(KNOWN_SERVER_TYPES).join(", ");
    throw new PipeToolError(
      "EUSAGE",
      `unknown server type '${spec}' (ready-made types: ${names}; or a package name, or a module file such as ./my-type.js)`,
    );
  }
  return checkType(await loadPackage(packageName, known?.description), packageName);
}

/**
 * Imports an installed package; when it is absent the error says exactly how to install it.
 * @throws PipeToolError `ENOTINSTALLED`, `EBADPACKAGE`
 */
export async function loadPackage(
  packageName: string,
  what?: string,
): Promise<Record<string, unknown>> {
  try {
    return await importPackage(packageName);
  } catch (err) {
    if (err instanceof PipeToolError && err.code === "ENOTINSTALLED") {
      const about = what === undefined ? "" : ` (${what})`;
      throw new PipeToolError(
        "ENOTINSTALLED",
        `${packageName}${about} is not installed; install it with: ${installCommand(packageName)}`,
      );
    }
    throw err;
  }
}

/**
 * Loads a function a package exports (`runMcpBridge` of named-pipe-tools-mcp, ...), for a
 * command that lives in its own package.
 * @throws PipeToolError `ENOTINSTALLED` (with the install command), `EBADPACKAGE` when it is
 *   missing or not a function
 */
export async function loadPackageFunction<F extends (...args: never[]) => unknown>(
  packageName: string,
  what: string,
  exportName: string,
): Promise<F> {
  const mod = await loadPackage(packageName, what);
  const fn = mod[exportName];
  if (typeof fn !== "function") {
    throw new PipeToolError("EBADPACKAGE", `${packageName} exports no ${exportName}()`);
  }
  return fn as F;
}
