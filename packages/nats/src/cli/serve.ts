/**
 * The long-running NATS commands: `--export` (a gateway) and `--import` (a local tool that
 * forwards to a remote one). Each prints a `ready ...` line on stdout once it serves and runs
 * until Ctrl-C or SIGTERM, then leaves cleanly and exits 0.
 */
import { NatsGateway } from "../gateway/gateway.js";
import { importTool } from "../import/imported-tool.js";
import type { NatsCommand } from "./args.js";
import { printError } from "./output.js";
import { Exit, aborted, trapSignals } from "./signals.js";

type Export = Extract<NatsCommand, { kind: "export" }>;
type Import = Extract<NatsCommand, { kind: "import" }>;

const say = (line: string): void => void process.stdout.write(`${line}\n`);

/** `cpipe --export URL (--tools a,b | --all)`. */
export async function runExport(cmd: Export): Promise<number> {
  const interrupt = trapSignals();
  try {
    const gateway = await NatsGateway.start(cmd.url, {
      ...cmd.auth,
      tools: cmd.tools,
      ...(cmd.dir === undefined ? {} : { dir: cmd.dir }),
      ...(cmd.prefix === undefined ? {} : { prefix: cmd.prefix }),
      ...(cmd.queue === undefined ? {} : { queue: cmd.queue }),
      timeoutMs: cmd.timeoutMs,
      onChange: ({ tool, exported, commands }) =>
        say(exported ? `exported ${tool} (${(commands ?? []).join(" ")})` : `withdrawn ${tool}`),
    });
    const what = cmd.tools === "all" ? "every tool" : cmd.tools.join(", ");
    say(`ready ${gateway.url} exporting ${what} from ${gateway.dir}`);
    await aborted(interrupt.signal);
    await gateway.close();
    printError("export stopped");
    return Exit.Ok;
  } finally {
    interrupt.dispose();
  }
}

/** `cpipe --import URL/NAME [--as LOCAL]`. */
export async function runImport(cmd: Import): Promise<number> {
  const interrupt = trapSignals();
  try {
    const server = await importTool(cmd.url, {
      ...cmd.auth,
      ...(cmd.as === undefined ? {} : { as: cmd.as }),
      ...(cmd.dir === undefined ? {} : { dir: cmd.dir }),
      ...(cmd.prefix === undefined ? {} : { prefix: cmd.prefix }),
      timeoutMs: cmd.timeoutMs,
      handleSignals: false,
    });
    say(`ready ${server.paths.upstream}`);
    const why = await Promise.race([
      aborted(interrupt.signal).then(() => "signal" as const),
      server.closed.then(() => "closed" as const),
    ]);
    await server.close();
    const gone = await server.remote.closed;
    if (why === "closed" && gone !== undefined) {
      printError(`the import of ${server.name} ended: ${gone.message}`);
      return Exit.Failed;
    }
    printError(`${server.name} stopped`);
    return Exit.Ok;
  } finally {
    interrupt.dispose();
  }
}
