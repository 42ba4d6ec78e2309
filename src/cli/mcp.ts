/**
 * `cpipe mcp [--dir DIR] [NAME...]`: an MCP server over stdio (for an MCP host to spawn) that
 * exposes the running pipe tools. The bridge lives in the workspace package packages/mcp-bridge.
 */
import { ExitCode, printError } from "./errors.js";
import { BrokenPackageError, NotInstalledError, loadWorkspaceModule } from "./servers.js";

type RunBridge = (args: string[], common: { dir?: string }) => Promise<number>;

/** Runs the bridge until its host closes stdin; resolves with the exit code. */
export async function runMcp(args: string[]): Promise<number> {
  let run: RunBridge;
  try {
    const mod = await loadWorkspaceModule("mcp-bridge");
    if (typeof mod["runMcpBridge"] !== "function") {
      throw new BrokenPackageError("mcp-bridge", new TypeError("it exports no runMcpBridge()"));
    }
    run = mod["runMcpBridge"] as RunBridge;
  } catch (err) {
    if (err instanceof NotInstalledError) {
      printError(
        "the MCP bridge is not installed: it is the workspace package packages/mcp-bridge; in a clone of named-pipe-tools run 'npm ci'",
      );
    } else {
      printError(`the MCP bridge failed to load: ${(err as Error).message}`);
    }
    return ExitCode.Failed;
  }
  return run(args, {});
}
