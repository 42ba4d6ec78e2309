/**
 * The server types `cpipe --serve TYPE` knows. The demo ships with the core; the others are
 * workspace packages (packages/*) that own their heavy dependencies and are loaded only when
 * asked for. Each exports a `serverType` ({@link ServerTypeModule}). Adding a type is one entry.
 */
import { fileURLToPath } from "node:url";
import type { ServerType } from "../server/run-main.js";

/** What a server type module exports as `serverType` (see src/server/run-main.ts). */
export type ServerTypeModule = ServerType;

/** One entry of the registry. */
export interface ServerTypeEntry {
  description: string;
  /** Workspace package directory (under packages/) when the type is not part of the core. */
  packageDir?: string;
  load: () => Promise<ServerTypeModule>;
}

/** The type's package is not built or not present. */
export class NotInstalledError extends Error {
  readonly code = "ENOTINSTALLED";

  constructor(readonly packageDir: string) {
    super(`package ${packageDir} is not installed`);
    this.name = "NotInstalledError";
  }
}

/** The type's package is present but cannot be loaded (for example a dependency is missing). */
export class BrokenPackageError extends Error {
  readonly code = "EBROKENPACKAGE";

  constructor(
    readonly packageDir: string,
    cause: unknown,
  ) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(`${packageDir} is present but cannot be loaded: ${detail}`, { cause });
    this.name = "BrokenPackageError";
  }
}

/**
 * Imports the workspace package `packages/<packageDir>`, compiled beside the core
 * (dist/packages/<packageDir>/src/index.js).
 * @throws NotInstalledError when it is absent, BrokenPackageError when it fails to load
 */
export async function loadWorkspaceModule(packageDir: string): Promise<Record<string, unknown>> {
  const url = new URL(`../../packages/${packageDir}/src/index.js`, import.meta.url);
  try {
    return (await import(url.href)) as Record<string, unknown>;
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === "ERR_MODULE_NOT_FOUND";
    if (missing && (err as Error).message.includes(fileURLToPath(url))) {
      throw new NotInstalledError(packageDir);
    }
    throw new BrokenPackageError(packageDir, err);
  }
}

/** A type served by a workspace package that exports `serverType`. */
export function workspacePackage(packageDir: string, description: string): ServerTypeEntry {
  return {
    description,
    packageDir,
    load: async () => {
      const type = (await loadWorkspaceModule(packageDir))["serverType"] as
        Partial<ServerTypeModule> | undefined;
      if (typeof type?.start !== "function") {
        throw new BrokenPackageError(packageDir, new TypeError("it exports no serverType.start()"));
      }
      return type as ServerTypeModule;
    },
  };
}

/** Every server type, by name. */
export const SERVER_TYPES: Readonly<Record<string, ServerTypeEntry>> = {
  demo: {
    description: "the demo tool: echo, count (streaming), sleep, fail, shout, binary echo",
    load: async () => (await import("../demo/server-type.js")).serverType,
  },
  chat: workspacePackage(
    "server-chat",
    "LLM chat (node-llama-cpp, or an OpenAI-compatible endpoint)",
  ),
  tts: workspacePackage("server-tts", "text to speech (espeak-ng)"),
  stt: workspacePackage("server-stt", "speech to text (pocketsphinx, whisper.cpp)"),
  mcp: workspacePackage("mcp-bridge", "any stdio MCP server, wrapped as a pipe tool"),
};
