/**
 * `cpipe PIPE CMD [DATA]`: sends one command and prints its reply, or its stream as it arrives.
 * Replies are matched to the request by id, so broadcasts (`state_changed`, ...) that arrive in
 * between are never taken for the answer.
 */
import type { ToolClient } from "../client/tool-client.js";
import { RemoteError } from "../errors.js";
import type { EventMessage } from "../protocol/messages.js";
import { QUERY_BUILTINS } from "../schema/interface.js";
import type { SendCommand } from "./args.js";
import { connectTool, failureContext } from "./connect.js";
import { ExitCode } from "./errors.js";
import { reportFailure, trapInterrupts } from "./interrupt.js";
import { ReplyPrinter } from "./output.js";

/** DATA as sent: its JSON value when it parses, else the string itself. */
export function parseData(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

async function readStdin(signal: AbortSignal): Promise<string> {
  signal.addEventListener("abort", () => process.stdin.destroy(), { once: true });
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    if (signal.aborted) break;
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  return text.endsWith("\n") ? text.slice(0, text.endsWith("\r\n") ? -2 : -1) : text;
}

/**
 * Built-in commands whose one argument DATA fills instead of `data` (`cpipe demo get_interface
 * demo`): a server of the Python project reads only that field.
 */
const POSITIONAL: Readonly<Record<string, string>> = { get_interface: "name" };

/** The request's arguments: `data` from DATA, then the `-j` fields over it. */
async function buildArgs(cmd: SendCommand, signal: AbortSignal): Promise<Record<string, unknown>> {
  const args: Record<string, unknown> = {};
  if (cmd.data !== undefined) {
    const value = parseData(cmd.data === "-" ? await readStdin(signal) : cmd.data);
    const lower = cmd.cmd.toLowerCase();
    const field = Object.hasOwn(POSITIONAL, lower) ? POSITIONAL[lower] : undefined;
    args[field !== undefined && typeof value === "string" ? field : "data"] = value;
  }
  return Object.assign(args, cmd.extra);
}

/**
 * Built-in commands that only ask a tool about itself: sent in the form servers of the Python
 * project understand too (see connectTool), so `cpipe NAME ping` works on one and leaves it as
 * found.
 */
const PROBES: ReadonlySet<string> = new Set(QUERY_BUILTINS);

/** Runs `cpipe PIPE CMD [DATA]`; resolves with the exit code. */
export async function runSend(cmd: SendCommand): Promise<number> {
  const ctx = failureContext(cmd, cmd.cmd);
  const interrupt = trapInterrupts();
  const printer = new ReplyPrinter({ jsonl: cmd.jsonl });
  let client: ToolClient | undefined;
  try {
    const args = await buildArgs(cmd, interrupt.signal);
    client = await connectTool(cmd, {
      subscribe: cmd.wait,
      signal: interrupt.signal,
      probe: cmd.wait && PROBES.has(cmd.cmd.toLowerCase()),
    });
    if (!cmd.wait) {
      // Not subscribed: the server runs the command but sends no reply.
      client.send(cmd.cmd, args);
      return ExitCode.Ok;
    }
    ctx.phase = "call";
    const reply = await client.call(cmd.cmd, args, {
      timeoutMs: cmd.timeoutMs,
      signal: interrupt.signal,
      onEvent: (msg) => printer.item(msg),
    });
    printer.final(reply);
    return ExitCode.Ok;
  } catch (err) {
    printer.endLine();
    await client?.close(); // unsubscribe and remove our pipes before saying anything
    if (cmd.jsonl && err instanceof RemoteError && interrupt.exitCode() === undefined) {
      printer.final(err.reply as EventMessage);
    }
    return reportFailure(err, ctx, interrupt);
  } finally {
    await client?.close();
    interrupt.dispose();
  }
}
