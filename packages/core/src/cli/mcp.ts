/**
 * `cpipe mcp [--dir DIR] [NAME...]`: an MCP server over stdio (for an MCP host to spawn) that
 * exposes the running pipe tools. The bridge is the package named-pipe-tools-mcp.
 */
import { PipeToolError } from "../errors.js";
import { ExitCode, printError } from "./errors.js";
import { loadPackage } from "../serve/load-type.js";

type RunBridge = (args: string[], common: { dir?: string }) => Promise<number>;

/** Runs the bridge until its host closes stdin; resolves with the exit code. */
export async function runMcp(args: string[]): Promise<number> {
  let run: RunBridge;
  try {
    const mod = await loadPackage("named-pipe-tools-mcp", "the MCP bridge");
    if (typeof mod["runMcpBridge"] !== "function") {
      throw new PipeToolError("EBADPACKAGE", "named-pipe-tools-mcp exports no runMcpBridge()");
    }
    run = mod["runMcpBridge"] as RunBridge;
  } catch (err) {
    printError((err as Error).message);
    return ExitCode.Failed;
  }
  return run(args, {});
}
