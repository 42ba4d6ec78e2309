/**
 * `cpipe --serve TYPE ... --detach`: starts the server in the background (its own session, its
 * output in a private log file) and returns only once it answers `ping`, printing
 * `ready <pipe> (pid <pid>, log <file>)`; if it exits first, or does not answer in time, cpipe
 * fails with the last lines of its log. A script can then use the server on the next line:
 * `cpipe --serve demo --detach && cpipe demo ping`.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, watch } from "node:fs";
import type { FSWatcher } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ToolClient } from "../client/tool-client.js";
import type { ServeCommand } from "./args.js";
import { ExitCode, printError } from "./errors.js";
import { trapInterrupts } from "./interrupt.js";

/** How long a detached server may take to answer ping [120 s]: loading a model takes a while. */
export const DETACH_TIMEOUT_MS = 120_000;
/** Lines of the log shown when the server fails to start. */
const TAIL_LINES = 12;
/** How often the log is re-read when no file-change event comes. */
const RECHECK_MS = 200;

/** The `cpipe` command line the background server runs: the same, without `--detach`. */
export function foregroundArgs(cmd: ServeCommand): string[] {
  return [
    "--serve",
    cmd.type,
    ...(cmd.name === undefined ? [] : ["--name", cmd.name]),
    ...(cmd.dir === undefined ? [] : ["--dir", cmd.dir]),
    ...cmd.args,
  ];
}

/** A new log file only this user can read, in a fresh private directory. */
function createLog(label: string): { file: string; fd: number } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "cpipe-serve-"));
  const file = path.join(dir, `${label.replace(/[^\w.-]/g, "_")}.log`);
  return { file, fd: openSync(file, "wx", 0o600) };
}

function tail(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return "";
  }
  const lines = text.trimEnd().split("\n");
  return lines.slice(-TAIL_LINES).join("\n");
}

/** The pipe a `ready <path>` line in the log names, once there is one. */
function readyPipe(file: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  return /^ready (.+)$/m.exec(text)?.[1];
}

async function answersPing(pipe: string, timeoutMs: number): Promise<boolean> {
  let client: ToolClient | undefined;
  try {
    client = await ToolClient.connect(pipe, {
      timeoutMs,
      callTimeoutMs: timeoutMs,
      compat: "reference",
    });
    return (await client.call("ping")).event === "pong";
  } catch {
    return false;
  } finally {
    await client?.close();
  }
}

type Outcome =
  | { kind: "ready"; pipe: string }
  | { kind: "exited"; code: number | null; signal: NodeJS.Signals | null }
  | { kind: "timeout" }
  | { kind: "interrupted" };

/** Waits until the log says `ready` and the server answers ping, or the child ends first. */
function waitReady(
  child: ChildProcess,
  log: string,
  timeoutMs: number,
  interrupted: Promise<void>,
): Promise<Outcome> {
  return new Promise((resolve) => {
    let watcher: FSWatcher | undefined;
    let checking = false;
    let done = false;
    const finish = (outcome: Outcome): void => {
      if (done) return;
      done = true;
      clearInterval(timer);
      clearTimeout(deadline);
      watcher?.close();
      child.off("exit", onExit);
      resolve(outcome);
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void =>
      finish({ kind: "exited", code, signal });
    const check = async (): Promise<void> => {
      if (checking || done) return;
      const pipe = readyPipe(log);
      if (pipe === undefined) return;
      checking = true;
      const ok = await answersPing(pipe, 2000);
      checking = false;
      if (ok) finish({ kind: "ready", pipe });
    };
    child.once("exit", onExit);
    const timer = setInterval(() => void check(), RECHECK_MS);
    const deadline = setTimeout(() => finish({ kind: "timeout" }), timeoutMs);
    void interrupted.then(() => finish({ kind: "interrupted" }));
    try {
      watcher = watch(log, { persistent: false }, () => void check());
      watcher.on("error", () => watcher?.close());
    } catch {
      // No file watching here: the interval does it.
    }
    void check();
  });
}

/**
 * Runs `cpipe --serve ... --detach`; resolves with the exit code once the background server
 * answers ping (0), or has failed to start (1, or its own exit code for a usage error).
 */
export async function runDetached(
  cmd: ServeCommand,
  timeoutMs = DETACH_TIMEOUT_MS,
): Promise<number> {
  const label = cmd.name ?? cmd.type;
  const log = createLog(label);
  const script = process.argv[1]!;
  const child = spawn(process.execPath, [script, ...foregroundArgs(cmd)], {
    detached: true,
    stdio: ["ignore", log.fd, log.fd],
    env: process.env,
  });
  closeSync(log.fd);
  const interrupt = trapInterrupts();
  try {
    const outcome = await waitReady(child, log.file, timeoutMs, interrupt.fired);
    if (outcome.kind === "ready") {
      child.unref();
      process.stdout.write(`ready ${outcome.pipe} (pid ${child.pid}, log ${log.file})\n`);
      return ExitCode.Ok;
    }
    if (outcome.kind !== "exited") child.kill("SIGTERM");
    if (outcome.kind === "interrupted") {
      printError(`interrupted; stopped the server it was starting (log ${log.file})`);
      return interrupt.exitCode() ?? ExitCode.Interrupted;
    }
    const why =
      outcome.kind === "timeout"
        ? `did not answer ping within ${timeoutMs / 1000} s, so it was stopped`
        : outcome.signal !== null
          ? `was killed by ${outcome.signal} before it was ready`
          : `exited with code ${outcome.code} before it was ready`;
    const last = tail(log.file);
    printError(
      `--serve ${cmd.type}${cmd.name === undefined ? "" : ` --name ${cmd.name}`} ${why}; ${
        last === "" ? `its log ${log.file} is empty` : `last lines of its log ${log.file}:`
      }`,
    );
    if (last !== "") process.stderr.write(`${last}\n`);
    return outcome.kind === "exited" && outcome.code === ExitCode.Usage
      ? ExitCode.Usage
      : ExitCode.Failed;
  } finally {
    interrupt.dispose();
  }
}
