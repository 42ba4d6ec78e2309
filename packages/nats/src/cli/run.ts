/**
 * cpipe's NATS commands (`--export`, `--import`, `--list nats://...`, `nats://HOST:PORT/NAME
 * CMD`): the core's cpipe hands every command line that names one of them to
 * {@link runNatsCli}.
 */
import { PipeToolError, RemoteError } from "named-pipe-tools";
import type { NatsCommand } from "./args.js";
import { parseNatsCli } from "./args.js";
import { runDescribe, runSend } from "./call.js";
import { runList } from "./list.js";
import { printError } from "./output.js";
import { runExport, runImport } from "./serve.js";
import { Exit } from "./signals.js";

export { isNatsCommand } from "./args.js";

/** `cpipe --help` for the NATS commands. */
export const NATS_HELP = `cpipe over NATS: pipe tools across machines (package named-pipe-tools-nats)

Usage:
  cpipe --export nats://HOST:PORT (--tools a,b | --all) [--dir DIR] [--queue Q] [AUTH]
        export local tools as NATS services until Ctrl-C; nothing is exported unless named
  cpipe --import nats://HOST:PORT/NAME [--as LOCAL] [--dir DIR] [AUTH]
        serve a remote tool as the local pipe tool LOCAL [NAME] until Ctrl-C
  cpipe --list nats://HOST:PORT [-t SECS] [--jsonl] [AUTH]
        the tools exported on NATS, with their hosts and commands
  cpipe nats://HOST:PORT/NAME CMD [DATA] [-j JSON] [-t SECS] [-n] [--jsonl] [-v] [AUTH]
        call a remote tool as 'cpipe NAME CMD' calls a local one
  cpipe nats://HOST:PORT/NAME [help]
        its description and commands

AUTH (passed to NATS as they are):
  --creds FILE            a .creds file (JWT and nkey seed)      [$NATS_CREDS]
  --nkey FILE             a file holding an nkey seed            [$NATS_NKEY]
  --user USER --password PASSWORD                                [$NATS_USER, $NATS_PASSWORD]
  --token TOKEN                                                  [$NATS_TOKEN]
  --tls                   use TLS with the system's CAs (tls://HOST:PORT does too)
  --tls-ca FILE           CA certificate; --tls-cert FILE --tls-key FILE: client certificate

Other:
  --prefix P              subject prefix [npt]
  nats://h1:4222,h2:4222  several servers of one cluster
`;

/** The exit code and line for an error. */
function describe(err: unknown, target: string): { code: number; line: string } {
  if (err instanceof RemoteError) return { code: Exit.Failed, line: `${target}: ${err.message}` };
  if (err instanceof PipeToolError) {
    if (err.code === "EUSAGE" || err.code === "EBADNAME") {
      return { code: Exit.Usage, line: `${err.message}; run 'cpipe --help' for usage` };
    }
    if (err.code === "EABORTED") return { code: Exit.Interrupted, line: "interrupted" };
    return { code: Exit.Failed, line: err.message };
  }
  if (err instanceof TypeError) return { code: Exit.Usage, line: err.message };
  return { code: Exit.Failed, line: err instanceof Error ? err.message : String(err) };
}

async function dispatch(cmd: Exclude<NatsCommand, { kind: "help" }>): Promise<number> {
  switch (cmd.kind) {
    case "export":
      return runExport(cmd);
    case "import":
      return runImport(cmd);
    case "list":
      return runList(cmd);
    case "describe":
      return runDescribe(cmd);
    case "send":
      return runSend(cmd);
  }
}

/**
 * Runs one of cpipe's NATS commands; resolves with the exit code (0 ok, 1 failure, 2 usage,
 * 130/143 interrupted). Messages go to stderr as `cpipe: ...`.
 */
export async function runNatsCli(argv: string[]): Promise<number> {
  let cmd: NatsCommand;
  try {
    cmd = parseNatsCli(argv);
  } catch (err) {
    printError(describe(err, "").line);
    return Exit.Usage;
  }
  if (cmd.kind === "help") {
    process.stdout.write(NATS_HELP);
    return Exit.Ok;
  }
  try {
    return await dispatch(cmd);
  } catch (err) {
    const { code, line } = describe(err, cmd.url);
    printError(line);
    return code;
  }
}
