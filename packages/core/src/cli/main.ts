#!/usr/bin/env node
/**
 * cpipe: the command-line client of named-pipe tools. This entry parses the command line and
 * loads only the module the command needs, so a plain `cpipe NAME ping` stays cheap.
 */
import type { CliCommand } from "./args.js";
import { parseCli } from "./args.js";
import { ExitCode, UsageError, describeFailure, printError } from "./errors.js";

async function run(command: CliCommand): Promise<number> {
  switch (command.kind) {
    case "help":
      process.stdout.write((await import("./usage.js")).HELP);
      return ExitCode.Ok;
    case "version":
      process.stdout.write(`cpipe ${(await import("./usage.js")).version()}\n`);
      return ExitCode.Ok;
    case "send":
      return (await import("./send.js")).runSend(command);
    case "describe":
      return (await import("./describe.js")).runDescribe(command);
    case "watch":
      return (await import("./watch.js")).runWatch(command);
    case "list":
    case "pid":
    case "clear":
      return (await import("./discover.js")).runDiscover(command);
    case "serve":
      if (command.detach === true && !command.args.some((a) => a === "--help" || a === "-h")) {
        return (await import("./detach.js")).runDetached(command);
      }
      return (await import("./serve.js")).runServe(command);
    case "tui":
      return (await import("./tui.js")).runTui(command);
    case "bare":
      return (await import("./tui.js")).runBare();
  }
}

async function main(argv: string[]): Promise<number> {
  // A closed stdout (`cpipe demo count ... | head -1`) is not an error worth a stack trace.
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(ExitCode.Ok);
    throw err;
  });
  // `cpipe mcp ...` is the MCP bridge (a tool cannot be named "mcp" and be described this way).
  if (argv[0] === "mcp") return (await import("./mcp.js")).runMcp(argv.slice(1));
  // --export, --import and nats:// addresses: pipe tools across machines (named-pipe-tools-nats).
  if (argv.some((a) => /^--(export|import)(=|$)|^(nats|tls):\/\//i.test(a))) {
    return (await import("./nats.js")).runNats(argv);
  }
  let command: CliCommand;
  try {
    command = parseCli(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    printError(describeFailure(err, { target: "", phase: "connect" }).line);
    return ExitCode.Usage;
  }
  return run(command);
}

process.exitCode = await main(process.argv.slice(2));
