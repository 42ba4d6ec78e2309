/**
 * `cpipe NAME` / `cpipe NAME help`: a tool's description, state and commands with their
 * arguments, read from the interfaces it serves (`list_interfaces` + `get_interface`).
 */
import type { ToolClient } from "../client/tool-client.js";
import { PipeToolError } from "../errors.js";
import type { ArgSpec, CommandSpec, InterfaceSpec } from "../schema/interface.js";
import type { DescribeCommand } from "./args.js";
import { connectTool, failureContext } from "./connect.js";
import { ExitCode, printError } from "./errors.js";
import { shellWord } from "../util/shell-word.js";
import { interruptLine, reportFailure, trapInterrupts } from "./interrupt.js";

/** What `cpipe NAME` gathers about a tool. */
export interface ToolDescription {
  tool: string;
  description: string | undefined;
  state: string | undefined;
  /** The tool's own interfaces (the built-in `base` left out). */
  interfaces: InterfaceSpec[];
  /** The `get_help` text, fetched when the tool lists no interface of its own. */
  help: string | undefined;
}

const BUILTINS =
  "ping, get_state, get_description, get_help, get_config, list_interfaces, get_interface NAME, cancel, stop";

async function optional<T>(promise: Promise<T>): Promise<T | undefined> {
  return promise.catch(() => undefined);
}

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** Asks a connected tool about itself. Fields a tool cannot answer stay undefined. */
export async function gatherDescription(
  client: ToolClient,
  tool: string,
): Promise<ToolDescription> {
  const [description, state, names] = await Promise.all([
    optional(client.call("get_description")),
    optional(client.call("get_state")),
    optional(client.call("list_interfaces")),
  ]);
  const list = Array.isArray(names?.["interfaces"]) ? (names["interfaces"] as unknown[]) : [];
  const own = list.filter((n): n is string => typeof n === "string" && n !== "base");
  const specs = await Promise.all(
    own.map((name) => optional(client.call("get_interface", { name }))),
  );
  const interfaces = specs
    .map((reply) => reply?.["interface"])
    .filter((spec): spec is InterfaceSpec => typeof spec === "object" && spec !== null);
  const help =
    interfaces.length === 0 ? str((await optional(client.call("get_help")))?.["help"]) : undefined;
  return {
    tool,
    description: str(description?.["description"]),
    state: str(state?.["state"]),
    interfaces,
    help,
  };
}

function typeOf(arg: ArgSpec): string {
  const type = arg.type === "str" ? "string" : arg.type;
  if (arg.required) return `${type}, required`;
  return "default" in arg && arg.default !== undefined
    ? `${type}, default ${JSON.stringify(arg.default)}`
    : `${type}, optional`;
}

/** The shape of a call to `cmd`: `DATA` for a `data` argument, `-j '{...}'` for the others. */
export function callShape(tool: string, cmd: CommandSpec): string {
  const args = Array.isArray(cmd.args) ? cmd.args : [];
  const parts = [`cpipe ${shellWord(tool)} ${cmd.name}`];
  const data = args.find((a) => a.name === "data");
  if (data !== undefined) parts.push(data.required ? "DATA" : "[DATA]");
  const others = args.filter((a) => a.name !== "data");
  if (others.length > 0) {
    const fields = others.map((a) => `"${a.name}"${a.required ? "" : "?"}: ${a.type}`);
    parts.push(`-j '{${fields.join(", ")}}'`);
  }
  return parts.join(" ");
}

/**
 * The readable form of a {@link ToolDescription}; call shapes use `invokedAs` (the name or path
 * the user typed) [the tool's name].
 */
export function formatDescription(d: ToolDescription, invokedAs = d.tool): string {
  const lines: string[] = [];
  lines.push(d.description === undefined ? d.tool : `${d.tool}: ${d.description}`);
  if (d.state !== undefined) lines.push(`state: ${d.state}`);
  for (const spec of d.interfaces) {
    lines.push("", `Commands (interface '${spec.name}'):`);
    for (const cmd of Array.isArray(spec.commands) ? spec.commands : []) {
      const streams = cmd.stream === true ? "   [streams]" : "";
      lines.push(`  ${callShape(invokedAs, cmd)}${streams}`);
      if (cmd.description) lines.push(`      ${cmd.description}`);
      const args = Array.isArray(cmd.args) ? cmd.args : [];
      const width = Math.max(0, ...args.map((a) => a.name.length));
      for (const arg of args) {
        const text = arg.description ? `: ${arg.description}` : "";
        lines.push(`      - ${arg.name.padEnd(width)}  (${typeOf(arg)})${text}`);
      }
    }
    const events = Array.isArray(spec.events) ? spec.events : [];
    if (events.length > 0) {
      lines.push("", "Events it may broadcast (see them with --watch):");
      for (const ev of events) {
        const fields = (Array.isArray(ev.fields) ? ev.fields : []).map((f) => f.name).join(", ");
        const text = ev.description ? `: ${ev.description}` : "";
        lines.push(`  ${ev.name}${fields === "" ? "" : ` {${fields}}`}${text}`);
      }
    }
  }
  if (d.help !== undefined && d.help !== d.description) {
    lines.push("", d.help.trimEnd());
  }
  lines.push("", `Built-in commands: ${BUILTINS}`);
  lines.push(
    `DATA is sent as "data" (JSON when it parses); other arguments go in -j '{"name": value}'.`,
  );
  return `${lines.join("\n")}\n`;
}

/** Runs `cpipe NAME [help]`; resolves with the exit code. */
export async function runDescribe(cmd: DescribeCommand): Promise<number> {
  const ctx = failureContext(cmd);
  const interrupt = trapInterrupts();
  let client: ToolClient | undefined;
  try {
    client = await connectTool(cmd, { signal: interrupt.signal, probe: true });
    ctx.phase = "call";
    ctx.cmd = "get_interface";
    const description = await Promise.race([
      gatherDescription(client, client.name),
      interrupt.fired.then(() => undefined),
    ]);
    if (description !== undefined && !client.connected) {
      throw (await client.closed) ?? new PipeToolError("ESERVERGONE", "server went away");
    }
    if (description === undefined) {
      const code = interrupt.exitCode() ?? ExitCode.Interrupted;
      await client.close();
      printError(interruptLine(code));
      return code;
    }
    process.stdout.write(
      cmd.jsonl ? `${JSON.stringify(description)}\n` : formatDescription(description, cmd.target),
    );
    return ExitCode.Ok;
  } catch (err) {
    await client?.close();
    return reportFailure(err, ctx, interrupt);
  } finally {
    await client?.close();
    interrupt.dispose();
  }
}
