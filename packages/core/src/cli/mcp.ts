/**
 * `cpipe mcp [--dir DIR] [NAME...]`: an MCP server over stdio (for an MCP host to spawn) that
 * exposes the running pipe tools. The bridge is the package named-pipe-tools-mcp.
 */
import { loadPackageFunction } from "../serve/load-type.js";
import { ExitCode, printError } from "./errors.js";

type RunBridge = (args: string[], common: { dir?: string }) => Promise<number>;

/** Runs the bridge until its host closes stdin; resolves with the exit code. */
export async function runMcp(args: string[]): Promise<number> {
  let run: RunBridge;
  try {
    run = await loadPackageFunction<RunBridge>(
      "named-pipe-tools-mcp",
      "the MCP bridge",
      "runMcpBridge",
    );
  } catch (err) {
    printError((err as Error).message);
    return ExitCode.Failed;
  }
  return run(args, {});
}
