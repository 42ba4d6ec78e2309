/**
 * Asking a live tool for its description and state, briefly: a tool that does not answer in
 * time is reported, not waited for.
 */
import { ToolClient } from "../client/tool-client.js";
import { PipeToolError } from "../errors.js";

/** What a tool said about itself. */
export interface ToolSummary {
  description?: string;
  state?: string;
  /** Why nothing was learned (no answer in time, refused, ...). */
  error?: string;
}

/**
 * Connects to the tool at `upstreamPath` and asks its description and state, in the form of the
 * protocol that servers of the Python project understand too (`compat: "reference"`): such a
 * server answers it and is left with no subscription and no pipe of ours.
 */
export async function probeTool(
  upstreamPath: string,
  options: { timeoutMs?: number } = {},
): Promise<ToolSummary> {
  const timeoutMs = options.timeoutMs ?? 500;
  let client: ToolClient | undefined;
  try {
    client = await ToolClient.connect(upstreamPath, {
      timeoutMs,
      callTimeoutMs: timeoutMs,
      compat: "reference",
    });
    const [description, state] = await Promise.all([
      client.call("get_description"),
      client.call("get_state"),
    ]);
    const out: ToolSummary = {};
    if (typeof description["description"] === "string") {
      out.description = description["description"];
    }
    if (typeof state["state"] === "string") out.state = state["state"];
    return out;
  } catch (err) {
    if (err instanceof PipeToolError && err.code === "ETIMEDOUT") {
      return { error: `no answer within ${timeoutMs} ms` };
    }
    return { error: err instanceof Error ? err.message : String(err) };
  } finally {
    await client?.close();
  }
}
