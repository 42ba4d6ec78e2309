/**
 * `cpipe --watch NAME`: stays subscribed and prints every broadcast until Ctrl-C (exit 130, after
 * unsubscribing and removing its pipes) or until the server stops (exit 0 when it said it was
 * stopping, else 1). Its first line on stdout, once subscribed, is `watching NAME` (with
 * `--jsonl`: `{"event":"watching","tool":NAME}`): a script that starts it in the background
 * waits for that line before it makes the tool broadcast.
 */
import type { ToolClient } from "../client/tool-client.js";
import { PipeToolError } from "../errors.js";
import type { WatchCommand } from "./args.js";
import { connectTool, failureContext } from "./connect.js";
import { ExitCode, printError } from "./errors.js";
import { interruptLine, reportFailure, trapInterrupts } from "./interrupt.js";
import { formatBroadcast } from "./output.js";

/** Runs `cpipe --watch NAME`; resolves with the exit code. */
export async function runWatch(cmd: WatchCommand): Promise<number> {
  const ctx = failureContext(cmd);
  const interrupt = trapInterrupts();
  let client: ToolClient | undefined;
  try {
    client = await connectTool(cmd, { signal: interrupt.signal });
    let stopping = false;
    client.on("*", (msg) => {
      if (msg.event === "disconnected") return; // made up by the client itself, not sent
      if (msg.event === "state_changed" && msg["state"] === "stopping") stopping = true;
      process.stdout.write(`${cmd.jsonl ? JSON.stringify(msg) : formatBroadcast(msg)}\n`);
    });
    const ready = cmd.jsonl
      ? JSON.stringify({ event: "watching", tool: client.name })
      : `watching ${client.name}`;
    process.stdout.write(`${ready}\n`);
    printError(`press Ctrl-C to stop watching ${client.name}`);
    const ended = await Promise.race([
      client.closed,
      interrupt.fired.then(() => "signal" as const),
    ]);
    if (ended === "signal") {
      const code = interrupt.exitCode() ?? ExitCode.Interrupted;
      await client.close();
      printError(interruptLine(code));
      return code;
    }
    if (stopping) {
      printError(`${client.name} stopped`);
      return ExitCode.Ok;
    }
    ctx.phase = "call";
    throw ended ?? new PipeToolError("ESERVERGONE", `tool '${client.name}' went away`);
  } catch (err) {
    await client?.close();
    return reportFailure(err, ctx, interrupt);
  } finally {
    await client?.close();
    interrupt.dispose();
  }
}
