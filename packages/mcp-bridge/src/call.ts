/**
 * One MCP tools/call carried out as a pipe call: stream items become progress notifications and
 * are gathered into the result; error replies become `isError` results; the host's cancellation
 * aborts the pipe call (the core then sends `cancel` to the server). A reply that carries an MCP
 * result (a wrapped MCP server's, see result.ts) is handed on as it is, error or not.
 */
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import type {
  CallToolResult,
  ServerNotification,
  ServerRequest,
} from "@modelcontextprotocol/sdk/types.js";
import { PipeToolError, RemoteError } from "named-pipe-tools";
import type { EventMessage } from "named-pipe-tools";
import type { BridgedCommand, PipeClient } from "./pipe-tool.js";
import { carriedResult } from "./result.js";

/** What the SDK hands a request handler. */
export type HandlerExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

function withoutId(msg: EventMessage): Record<string, unknown> {
  const { id: _id, ...rest } = msg;
  return rest;
}

function text(value: string): CallToolResult["content"][number] {
  return { type: "text", text: value };
}

/** Gathers a stream's items: their `text` when they have one, else their JSON, one per line. */
class StreamText {
  #parts: string[] = [];
  count = 0;

  add(msg: EventMessage): string {
    this.count++;
    const piece =
      typeof msg["text"] === "string" ? msg["text"] : `${JSON.stringify(withoutId(msg))}\n`;
    this.#parts.push(piece);
    return piece;
  }

  get text(): string {
    return this.#parts.join("");
  }
}

function finalResult(
  cmd: BridgedCommand,
  reply: EventMessage,
  streamed: StreamText,
): CallToolResult {
  if (cmd.kind === "help")
    return { content: [text(typeof reply["help"] === "string" ? reply["help"] : "")] };
  if (streamed.count === 0 && !cmd.stream)
    return { content: [text(JSON.stringify(withoutId(reply)))] };
  // A stream: its text, then the final message when it carries more than the end marker.
  const { event: _e, text: last, done: _d, ...extra } = withoutId(reply);
  const all = streamed.text + (typeof last === "string" ? last : "");
  const content = [text(all)];
  if (Object.keys(extra).length > 0) content.push(text(JSON.stringify(extra)));
  return { content };
}

function errorResult(message: string): CallToolResult {
  return { content: [text(message)], isError: true };
}

/**
 * Calls `cmd` through `client` with MCP arguments `args` and maps the outcome to an MCP result.
 * Rethrows only when the host cancelled (the SDK then sends no response) or on a bug.
 */
export async function callPipe(
  client: PipeClient,
  cmd: BridgedCommand,
  args: Record<string, unknown>,
  extra: HandlerExtra,
  timeoutMs: number,
): Promise<CallToolResult> {
  const token = extra._meta?.progressToken;
  const streamed = new StreamText();
  const onEvent = (msg: EventMessage): void => {
    const piece = streamed.add(msg);
    if (token === undefined) return;
    extra
      .sendNotification({
        method: "notifications/progress",
        params: { progressToken: token, progress: streamed.count, message: piece },
      })
      .catch(() => undefined); // the host went away; the call ends on its own
  };
  try {
    const reply = await client.call(cmd.command, args, {
      signal: extra.signal,
      onEvent,
      timeoutMs,
    });
    return carriedResult(reply) ?? finalResult(cmd, reply, streamed);
  } catch (err) {
    if (err instanceof RemoteError) {
      const carried = carriedResult(err.reply);
      if (carried !== undefined) return { ...carried, isError: true };
      const code = err.remoteCode === undefined ? "" : ` (${err.remoteCode})`;
      return errorResult(`${err.message}${code}`);
    }
    if (err instanceof PipeToolError && !extra.signal.aborted) {
      return errorResult(`${err.code}: ${err.message}`);
    }
    throw err;
  }
}
