/**
 * Servers launched from the dashboard: each is `cpipe --serve TYPE --name N --dir D OPTS` in a
 * child process of its own session (so closing the terminal does not kill a server the user
 * chose to keep), its output going straight to a log file in a private directory made with
 * mkdtemp (mode 0700, never a predictable /tmp path) that the dashboard tails. Writing to a file
 * rather than a pipe means a kept server never dies of SIGPIPE once the dashboard has gone.
 */
import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync } from "node:fs";
import { mkdtemp, open, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { shellWord } from "named-pipe-tools";
import { Store } from "./store.js";

/** Where a launched server stands. */
export type LaunchStatus = "starting" | "ready" | "stopping" | "exited";

/** One launched server. */
export interface Launched {
  id: number;
  type: string;
  name: string;
  dir: string;
  pid: number | undefined;
  status: LaunchStatus;
  /** Exit code, or the signal that ended it. */
  exit?: number | string;
  logPath: string;
  /** The last lines of its log. */
  log: readonly string[];
  startedAt: number;
  /** The equivalent command line. */
  commandLine: string;
}

/** Lines of log kept in memory per server. */
export const LOG_LINES = 500;
/** How often a log is read for new output, in ms. */
const TAIL_MS = 200;
/** How long a server has to stop after SIGTERM before SIGKILL, in ms. */
const KILL_AFTER_MS = 5000;

interface Proc {
  view: Launched;
  child: ChildProcess;
  offset: number;
  partial: string;
  exited: Promise<void>;
}

/** The cpipe entry point of the core package this dashboard uses. */
export function cpipeMain(): string {
  const require = createRequire(import.meta.url);
  return path.join(
    path.dirname(require.resolve("named-pipe-tools/package.json")),
    "dist/src/cli/main.js",
  );
}

/** Starts and tracks server processes. */
export class Launcher extends Store<{ procs: readonly Launched[]; logDir?: string }> {
  readonly #procs = new Map<number, Proc>();
  readonly #cpipe: string;
  #logDir: string | undefined;
  #nextId = 1;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: { cpipe?: string } = {}) {
    super({ procs: [] });
    this.#cpipe = options.cpipe ?? cpipeMain();
  }

  /** Starts `cpipe --serve type --name name --dir dir ...args`. */
  async launch(
    type: string,
    name: string,
    dir: string,
    args: readonly string[],
  ): Promise<Launched> {
    if (!existsSync(this.#cpipe)) throw new Error(`cpipe is not built: ${this.#cpipe} is missing`);
    this.#logDir ??= await mkdtemp(path.join(tmpdir(), "cpipe-dashboard-"));
    const id = this.#nextId++;
    const logPath = path.join(this.#logDir, `${id}-${name.replace(/[^\w.-]/g, "_")}.log`);
    // 'wx': a fresh file, never one planted under that name.
    const fd = openSync(logPath, "wx", 0o600);
    const argv = [this.#cpipe, "--serve", type, "--name", name, "--dir", dir, ...args];
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, argv, { stdio: ["ignore", fd, fd], detached: true });
    } finally {
      closeSync(fd);
    }
    const view: Launched = {
      id,
      type,
      name,
      dir,
      pid: child.pid,
      status: "starting",
      logPath,
      log: [],
      startedAt: Date.now(),
      commandLine: ["cpipe", ...argv.slice(1)].map(shellWord).join(" "),
    };
    const proc: Proc = {
      view,
      child,
      offset: 0,
      partial: "",
      exited: new Promise((resolve) => {
        child.once("exit", (code, signal) => {
          void this.#tail(proc).finally(() => {
            this.#set(proc, { status: "exited", exit: code ?? signal ?? -1 });
            resolve();
          });
        });
        child.once("error", (err) => {
          this.#set(proc, { status: "exited", exit: -1, log: [...proc.view.log, err.message] });
          resolve();
        });
      }),
    };
    this.#procs.set(id, proc);
    this.#timer ??= setInterval(() => this.#tailAll(), TAIL_MS);
    this.#publish();
    return view;
  }

  #tailAll(): void {
    for (const proc of this.#procs.values()) {
      if (proc.view.status !== "exited") void this.#tail(proc);
    }
  }

  async #tail(proc: Proc): Promise<void> {
    let handle;
    try {
      handle = await open(proc.view.logPath, "r");
      const buf = Buffer.alloc(64 * 1024);
      let lines: string[] = [];
      for (;;) {
        const { bytesRead } = await handle.read(buf, 0, buf.length, proc.offset);
        if (bytesRead === 0) break;
        proc.offset += bytesRead;
        const text = proc.partial + buf.subarray(0, bytesRead).toString("utf8");
        const parts = text.split("\n");
        proc.partial = parts.pop() ?? "";
        lines = lines.concat(parts);
      }
      if (lines.length === 0) return;
      const log = [...proc.view.log, ...lines].slice(-LOG_LINES);
      const ready = proc.view.status === "starting" && lines.some((l) => l.startsWith("ready "));
      this.#set(proc, { log, ...(ready ? { status: "ready" as const } : {}) });
    } catch {
      // The log went away (the directory was removed at close): nothing more to show.
    } finally {
      await handle?.close();
    }
  }

  #set(proc: Proc, patch: Partial<Launched>): void {
    proc.view = { ...proc.view, ...patch };
    this.#publish();
  }

  #publish(): void {
    this.setState({
      procs: [...this.#procs.values()].map((p) => p.view),
      ...(this.#logDir === undefined ? {} : { logDir: this.#logDir }),
    });
  }

  /** The servers still running. */
  running(): Launched[] {
    return [...this.#procs.values()].filter((p) => p.view.status !== "exited").map((p) => p.view);
  }

  /** Stops server `id` (SIGTERM, then SIGKILL if it lingers); resolves once it has exited. */
  async stop(id: number): Promise<void> {
    const proc = this.#procs.get(id);
    if (proc === undefined || proc.view.status === "exited") return;
    this.#set(proc, { status: "stopping" });
    proc.child.kill("SIGTERM");
    const killer = setTimeout(() => proc.child.kill("SIGKILL"), KILL_AFTER_MS);
    await proc.exited;
    clearTimeout(killer);
  }

  /**
   * Ends the launcher. `keep`: the running servers go on without the dashboard (their logs
   * stay where they are); otherwise they are stopped and the log directory is removed.
   */
  async close(options: { keep: boolean }): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    const running = [...this.#procs.values()].filter((p) => p.view.status !== "exited");
    if (options.keep && running.length > 0) {
      for (const proc of running) proc.child.unref();
      return;
    }
    await Promise.all(running.map((p) => this.stop(p.view.id)));
    if (this.#logDir !== undefined) await rm(this.#logDir, { recursive: true, force: true });
  }
}
