/**
 * MCP tool names for pipe commands: `<tool>__<command>`. MCP allows 1-64 characters of
 * `[A-Za-z0-9_-]`; other characters (a `.` in a tool name) become `_`, and a name that is too
 * long or already taken is cut and given a short hash of the original pair, so it stays stable
 * across restarts.
 */
import { createHash } from "node:crypto";

/** Longest MCP tool name. */
export const MAX_MCP_NAME = 64;

/** Separator between the tool name and the command name. */
export const NAME_SEPARATOR = "__";

function shortHash(tool: string, command: string): string {
  return createHash("sha256").update(`${tool}\0${command}`).digest("hex").slice(0, 8);
}

/**
 * The MCP tool name of `command` of pipe tool `tool`, unique among `taken` (names already given
 * to other pairs).
 */
export function mcpToolName(tool: string, command: string, taken: ReadonlySet<string>): string {
  const plain = `${tool}${NAME_SEPARATOR}${command}`.replace(/[^A-Za-z0-9_-]/g, "_");
  if (plain.length <= MAX_MCP_NAME && !taken.has(plain)) return plain;
  const hash = shortHash(tool, command);
  return `${plain.slice(0, MAX_MCP_NAME - hash.length - 1)}_${hash}`;
}
