/**
 * Exit codes and the one-line error messages of cpipe. Every failure ends as one line on stderr
 * that says what went wrong and what to do about it.
 */
import { lstatSync } from "node:fs";
import path from "node:path";
import { PipeToolError, RemoteError } from "../errors.js";
import { shellWord } from "../util/shell-word.js";

/** Exit codes of cpipe. */
export const ExitCode = {
  /** Success. */
  Ok: 0,
  /** An error reply, a timeout, no server, or any other failure. */
  Failed: 1,
  /** A bad command line. */
  Usage: 2,
  /** Interrupted by Ctrl-C (SIGINT). */
  Interrupted: 130,
  /** Terminated by SIGTERM. */
  Terminated: 143,
} as const;

/** A bad command line: cpipe prints it with a pointer to `--help` and exits 2. */
export class UsageError extends Error {
  /** Stable code. */
  readonly code = "EUSAGE";

  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** What cpipe was doing when an error happened, to word the message. */
export interface ErrorContext {
  /** Tool name or path as given. */
  target: string;
  /** Upstream pipe path, when resolved. */
  upstream?: string;
  /** The command sent, if any. */
  cmd?: string;
  /** `connect`: while subscribing; `call`: while waiting for the reply. */
  phase: "connect" | "call";
  /** Timeout in force, in ms (undefined: none). */
  timeoutMs?: number;
}

const seconds = (ms: number): string => `${Number((ms / 1000).toFixed(3))} s`;

function noServerLine(ctx: ErrorContext): string {
  const upstream = ctx.upstream;
  if (upstream === undefined) return `no server for tool '${ctx.target}'`;
  const dir = shellWord(path.dirname(upstream));
  let exists = false;
  try {
    exists = lstatSync(upstream).isFIFO();
  } catch {
    exists = false;
  }
  if (exists) {
    return `${upstream} exists but no server reads it (its server died?); restart the server, or remove the pipe with 'cpipe --clear ${dir}'`;
  }
  return `no server for '${ctx.target}': ${upstream} does not exist; is the server running? 'cpipe --list ${dir}' shows the running tools`;
}

/**
 * Turns an error into cpipe's exit code and one-line message (without the `cpipe: ` prefix).
 */
export function describeFailure(err: unknown, ctx: ErrorContext): { code: number; line: string } {
  if (err instanceof UsageError) {
    return { code: ExitCode.Usage, line: `${err.message}; run 'cpipe --help' for usage` };
  }
  const tool = shellWord(ctx.target);
  if (err instanceof RemoteError) {
    const what = ctx.cmd === undefined ? tool : `${tool} ${ctx.cmd}`;
    const hint =
      err.remoteCode === "unknown_command" || err.remoteCode === "bad_args"
        ? ` (see its commands and arguments: cpipe ${tool} help)`
        : "";
    return { code: ExitCode.Failed, line: `${what}: ${err.message}${hint}` };
  }
  if (err instanceof PipeToolError) {
    switch (err.code) {
      case "ENOSERVER":
        return { code: ExitCode.Failed, line: noServerLine(ctx) };
      case "ETIMEDOUT":
        if (ctx.phase === "connect") {
          const limit = ctx.timeoutMs === undefined ? "" : ` within ${seconds(ctx.timeoutMs)}`;
          return {
            code: ExitCode.Failed,
            line: `tool '${ctx.target}' did not answer${limit} (is its server hung?); check it with 'cpipe --pid', or wait longer with -t SECONDS`,
          };
        }
        return {
          code: ExitCode.Failed,
          line: `no reply to '${ctx.cmd ?? "?"}' from '${ctx.target}' within ${seconds(ctx.timeoutMs ?? 0)}; wait longer with -t SECONDS (-t 0 waits forever)`,
        };
      case "ESERVERGONE":
        return {
          code: ExitCode.Failed,
          line: `tool '${ctx.target}' went away (its server stopped or crashed); 'cpipe --list' shows what still runs`,
        };
      case "EREFERENCE":
        return {
          code: ExitCode.Failed,
          line: `tool '${ctx.target}' is a server of the Python named-pipes project, which needs its own form of the protocol: add --reference (cpipe --reference ${tool}${ctx.cmd === undefined ? "" : ` ${ctx.cmd}`} ...); it was left as found`,
        };
      case "EBADNAME":
        return { code: ExitCode.Usage, line: `${err.message}; run 'cpipe --help' for usage` };
      case "EUNSAFEPIPE":
        return {
          code: ExitCode.Failed,
          line: `${err.message}; remove it yourself or use another directory (--dir)`,
        };
      case "EABORTED":
        return { code: ExitCode.Interrupted, line: "interrupted" };
      default:
        return { code: ExitCode.Failed, line: err.message };
    }
  }
  if (err instanceof TypeError) {
    return { code: ExitCode.Usage, line: `${err.message}; run 'cpipe --help' for usage` };
  }
  return { code: ExitCode.Failed, line: err instanceof Error ? err.message : String(err) };
}

/** Writes `cpipe: <line>` to stderr. */
export function printError(line: string): void {
  process.stderr.write(`cpipe: ${line}\n`);
}
