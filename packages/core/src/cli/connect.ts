/**
 * Connecting to one tool for cpipe: resolves the pipe path (for error messages) and logs every
 * message sent and received on stderr with `-v`.
 */
import path from "node:path";
import type { ConnectOptions } from "../client/tool-client.js";
import { ToolClient } from "../client/tool-client.js";
import { defaultPipeDir } from "../transport/paths.js";
import type { TargetOptions } from "./args.js";
import type { ErrorContext } from "./errors.js";

/** The upstream pipe path that `target` names (a bare name or a path). */
export function upstreamOf(target: string, dir: string | undefined): string {
  if (target.includes("/")) return path.resolve(target);
  return path.join(dir ?? defaultPipeDir(), `tool-${target}`);
}

/** Writes `[cpipe] -> {...}` / `[cpipe] <- {...}` lines to stderr. */
export function traceToStderr(
  direction: "in" | "out",
  message: Readonly<Record<string, unknown>>,
): void {
  process.stderr.write(`[cpipe] ${direction === "out" ? "->" : "<-"} ${JSON.stringify(message)}\n`);
}

/**
 * Connects to the tool `opts.target` names, with cpipe's timeout and tracing. `probe` (asking a
 * tool about itself) uses the form of the protocol that servers of the Python project understand
 * too (`compat: "reference"`), so it leaves no subscription behind on one; ours answer it alike.
 */
export function connectTool(
  opts: TargetOptions,
  extra: Pick<ConnectOptions, "subscribe" | "signal"> & { probe?: boolean } = {},
): Promise<ToolClient> {
  const { probe, ...options } = extra;
  return ToolClient.connect(opts.target, {
    ...(opts.dir === undefined ? {} : { dir: opts.dir }),
    timeoutMs: opts.timeoutMs,
    callTimeoutMs: opts.timeoutMs,
    ...(opts.verbose ? { trace: traceToStderr } : {}),
    ...(opts.reference === true || probe === true ? { compat: "reference" as const } : {}),
    ...options,
  });
}

/** The error context of a run against `opts.target`, starting in the connect phase. */
export function failureContext(opts: TargetOptions, cmd?: string): ErrorContext {
  const ctx: ErrorContext = {
    target: opts.target,
    upstream: upstreamOf(opts.target, opts.dir),
    phase: "connect",
    timeoutMs: opts.timeoutMs,
  };
  if (cmd !== undefined) ctx.cmd = cmd;
  return ctx;
}
