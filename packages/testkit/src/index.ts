/**
 * Test helpers shared by the packages of this repository (a private workspace package, never
 * published): a fresh temporary pipe directory per test, spawning real server processes and
 * waiting for their readiness line (never sleeping), and where each package's compiled entry
 * points are.
 */
import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import { writeSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestContext } from "node:test";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { ToolServer, ToolServerOptions } from "named-pipe-tools";
import { createDemoServer } from "named-pipe-tools/demo";

/** The repository root (this file runs from packages/testkit/dist/src/). */
export const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));

const require = createRequire(import.meta.url);

/** The directory of an installed package (a workspace package here), found by its name. */
export function packageDir(name: string): string {
  return path.dirname(require.resolve(`${name}/package.json`));
}

/** Whether an npm package is installed in the workspace (optional peers, platform packages). */
export function installed(name: string): boolean {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}

/** The compiled cpipe CLI (the core package's `bin`). */
export const CPIPE = path.join(packageDir("named-pipe-tools"), "dist/src/cli/main.js");
/** The demo server's process entry point. */
export const DEMO_MAIN = path.join(packageDir("named-pipe-tools"), "dist/src/demo/main.js");

/** Creates a private temporary directory removed after the test. */
export async function tempDir(t: TestContext, prefix = "npt-"): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A child process plus its captured output. */
export interface Spawned {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  exited: Promise<number | string>;
}

/** Spawns `command ...args` with captured output; killed after the test if still alive. */
export function spawnCaptured(
  t: TestContext,
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; stdin?: "pipe" | "ignore"; cwd?: string } = {},
): Spawned {
  const child = spawn(command, args, {
    stdio: [options.stdin ?? "pipe", "pipe", "pipe"],
    env: options.env ?? process.env,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  });
  let out = "";
  let err = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? signal ?? -1)),
  );
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Spawns `node <script> ...args` with captured output; killed after the test if still alive. */
export function spawnNode(
  t: TestContext,
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Spawned {
  return spawnCaptured(t, process.execPath, [script, ...args], { env: { ...process.env, ...env } });
}

/** Waits until `predicate()` holds, re-checking on each output chunk; rejects after `ms`. */
export function waitForOutput(
  proc: Spawned,
  predicate: (stdout: string, stderr: string) => boolean,
  ms = 10_000,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (predicate(proc.stdout(), proc.stderr())) {
        cleanup();
        resolve();
      }
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out; stdout=${proc.stdout()} stderr=${proc.stderr()}`));
    }, ms);
    const onExit = (): void => {
      check();
      cleanup();
      reject(new Error(`process exited; stdout=${proc.stdout()} stderr=${proc.stderr()}`));
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      proc.child.stdout?.off("data", check);
      proc.child.stderr?.off("data", check);
      proc.child.off("exit", onExit);
    };
    proc.child.stdout?.on("data", check);
    proc.child.stderr?.on("data", check);
    proc.child.once("exit", onExit);
    check();
  });
}

/** Starts the demo server in its own process and waits for its `ready` line. */
export async function startDemo(t: TestContext, dir: string, name = "demo"): Promise<Spawned> {
  const proc = spawnNode(t, DEMO_MAIN, ["--dir", dir, "--name", name]);
  await waitForOutput(proc, (out) => out.includes("ready "));
  return proc;
}

/** Resolves when `fn()` is true, polling on the event loop every few ms; rejects after `ms`. */
export async function until(
  fn: () => boolean | Promise<boolean>,
  ms = 5000,
  what = "condition",
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Whether process `pid` is alive (signal 0). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Lists a directory's entries (sorted). */
export async function entries(dir: string): Promise<string[]> {
  return (await readdir(dir)).sort();
}

/** An in-process demo server in a fresh temporary directory, closed after the test. */
export async function serveDemo(
  t: TestContext,
  options: Partial<ToolServerOptions> = {},
): Promise<{ dir: string; server: ToolServer; logs: string[] }> {
  const dir = options.dir ?? (await tempDir(t));
  const logs: string[] = [];
  const server = await createDemoServer({
    dir,
    log: (l) => logs.push(l),
    handleSignals: false,
    ...options,
  }).listen();
  t.after(() => server.close());
  return { dir, server, logs };
}

/**
 * Writes all of `buf` to a non-blocking fd (test-only raw access to a pipe), yielding to the
 * event loop while the pipe is full so an in-process server can drain it.
 */
export async function writeAllRaw(fd: number, buf: Buffer): Promise<void> {
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(fd, buf, off);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EAGAIN") throw err;
      await new Promise((r) => setImmediate(r));
    }
  }
}

/**
 * Starts the Python reference-format server fixture (packages/core/test/fixtures/reference_server.py)
 * and waits for its `ready` line; resolves with its process.
 */
export async function startReferenceServer(
  t: TestContext,
  dir: string,
  name: string,
): Promise<ChildProcess> {
  const child = spawn(
    "python3",
    [path.join(ROOT, "packages/core/test/fixtures/reference_server.py"), dir, name],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  t.after(() => {
    if (child.exitCode === null) child.kill("SIGKILL");
  });
  await new Promise<void>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`reference server exited with ${code}`)));
    child.stdout.on("data", (d: Buffer) => {
      if (d.toString().includes("ready")) resolve();
    });
  });
  return child;
}

export { PROGRAM_PACKAGES, needs } from "./needs.js";
export { docShell, parseCommands, runCommands } from "./doc-commands.js";
export type { DocCommand } from "./doc-commands.js";
export { startTerminal } from "./tmux.js";
export type { Terminal, TerminalOptions } from "./tmux.js";
