/**
 * `cpipe nats://HOST:PORT/NAME CMD [DATA]` and `cpipe nats://HOST:PORT/NAME [help]`: a remote
 * tool called as cpipe calls a local one (the same DATA, `-j`, `-t`, `-n`, `--jsonl`, `-v`,
 * output and exit codes). Ctrl-C cancels the call on the tool's machine.
 */
import { RemoteError } from "named-pipe-tools";
import type { EventMessage, ToolClient } from "named-pipe-tools";
import { NatsToolClient } from "../client/nats-tool-client.js";
import type { NatsClientOptions } from "../client/options.js";
import type { NatsCommand } from "./args.js";
import { Printer, printError } from "./output.js";
import { Exit, trapSignals } from "./signals.js";

type Send = Extract<NatsCommand, { kind: "send" }>;
type Describe = Extract<NatsCommand, { kind: "describe" }>;

function trace(direction: "in" | "out", message: Readonly<Record<string, unknown>>): void {
  process.stderr.write(`[cpipe] ${direction === "out" ? "->" : "<-"} ${JSON.stringify(message)}\n`);
}

function clientOptions(cmd: Send | Describe, signal: AbortSignal): NatsClientOptions {
  return {
    ...cmd.auth,
    ...(cmd.prefix === undefined ? {} : { prefix: cmd.prefix }),
    timeoutMs: cmd.timeoutMs,
    callTimeoutMs: cmd.timeoutMs,
    subscribe: false,
    signal,
    ...(cmd.verbose ? { trace } : {}),
  };
}

/** DATA as sent: its JSON value when it parses, else the text (cpipe's rule). */
function parseData(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

/** Runs `cpipe nats://HOST:PORT/NAME CMD [DATA]`. */
export async function runSend(cmd: Send): Promise<number> {
  const interrupt = trapSignals();
  const printer = new Printer(cmd.jsonl);
  let client: ToolClient | undefined;
  try {
    const args: Record<string, unknown> =
      cmd.data === undefined ? {} : { data: parseData(cmd.data) };
    Object.assign(args, cmd.extra);
    client = await NatsToolClient.connect(cmd.url, clientOptions(cmd, interrupt.signal));
    if (!cmd.wait) {
      client.send(cmd.cmd, args);
      return Exit.Ok;
    }
    const reply = await client.call(cmd.cmd, args, {
      timeoutMs: cmd.timeoutMs,
      signal: interrupt.signal,
      onEvent: (msg) => printer.item(msg),
    });
    printer.final(reply);
    return Exit.Ok;
  } catch (err) {
    printer.endLine();
    const signalled = interrupt.code();
    if (signalled !== undefined) {
      printError(signalled === Exit.Terminated ? "terminated" : "interrupted");
      return signalled;
    }
    if (err instanceof RemoteError) {
      if (cmd.jsonl) printer.final(err.reply as EventMessage);
      const hint =
        err.remoteCode === "unknown_command" || err.remoteCode === "bad_args"
          ? ` (see its commands: cpipe ${cmd.url} help)`
          : "";
      printError(`${client?.name ?? cmd.url} ${cmd.cmd}: ${err.message}${hint}`);
      return Exit.Failed;
    }
    throw err;
  } finally {
    await client?.close();
    interrupt.dispose();
  }
}

/** Runs `cpipe nats://HOST:PORT/NAME [help]`: the description and the commands. */
export async function runDescribe(cmd: Describe): Promise<number> {
  const interrupt = trapSignals();
  let client: ToolClient | undefined;
  try {
    client = await NatsToolClient.connect(cmd.url, clientOptions(cmd, interrupt.signal));
    const desc = await client.call("get_description");
    const listed = await client.call("list_interfaces");
    const names = Array.isArray(listed["interfaces"]) ? (listed["interfaces"] as unknown[]) : [];
    const own = names.find((n): n is string => typeof n === "string" && n !== "base");
    const iface =
      own === undefined
        ? undefined
        : (await client.call("get_interface", { name: own }))["interface"];
    if (cmd.jsonl) {
      process.stdout.write(
        `${JSON.stringify({ name: client.name, description: desc["description"], interface: iface })}\n`,
      );
      return Exit.Ok;
    }
    const lines = [
      `${client.name} (over NATS): ${typeof desc["description"] === "string" ? desc["description"] : ""}`,
      "",
      "Commands:",
    ];
    const commands =
      (
        iface as
          { commands?: { name: string; description?: string; stream?: boolean }[] } | undefined
      )?.commands ?? [];
    for (const c of commands) {
      lines.push(
        `  ${c.name.padEnd(18)} ${c.description ?? ""}${c.stream === true ? " (streams)" : ""}`,
      );
    }
    lines.push(
      `  ${"ping, get_state, get_description, get_help, get_config, list_interfaces, get_interface".padEnd(18)}`,
    );
    process.stdout.write(`${lines.join("\n")}\n`);
    return Exit.Ok;
  } finally {
    await client?.close();
    interrupt.dispose();
  }
}
