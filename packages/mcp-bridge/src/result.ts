/**
 * MCP tool results through pipes, unchanged. A wrapped MCP tool's result travels as the fields
 * of its pipe reply (`content`, and `structuredContent`, `isError`, `_meta` when present, plus
 * `text` for pipe clients); `cpipe mcp` hands any reply that carries MCP content back to its MCP
 * host as it is, so a chain of bridges never wraps a result twice.
 */
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { ContentBlockSchema } from "@modelcontextprotocol/sdk/types.js";

/** The fields of a CallToolResult that travel in a pipe reply. */
const RESULT_FIELDS = ["content", "structuredContent", "isError", "_meta"] as const;

/** The text items of an MCP result's content, joined by newlines. */
export function joinedText(content: CallToolResult["content"]): string {
  return content.flatMap((c) => (c.type === "text" ? [c.text] : [])).join("\n");
}

/** The result's own fields, as they came (absent ones left out). */
export function resultFields(result: CallToolResult): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const key of RESULT_FIELDS) if (result[key] !== undefined) fields[key] = result[key];
  return fields;
}

/**
 * The MCP result a pipe reply carries, when it carries one: a `content` list of MCP content
 * blocks (with the optional fields beside it). Undefined for an ordinary pipe reply.
 */
export function carriedResult(
  reply: Readonly<Record<string, unknown>>,
): CallToolResult | undefined {
  const content = reply["content"];
  if (!Array.isArray(content) || !content.every((c) => ContentBlockSchema.safeParse(c).success)) {
    return undefined;
  }
  const structured = reply["structuredContent"];
  if (structured !== undefined && (typeof structured !== "object" || structured === null)) {
    return undefined;
  }
  const result: Record<string, unknown> = {};
  for (const key of RESULT_FIELDS) if (reply[key] !== undefined) result[key] = reply[key];
  return result as CallToolResult;
}
