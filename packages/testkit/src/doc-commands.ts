/**
 * Running the shell commands of a Markdown document as written, in order, like a user typing
 * them into one shell: a line ending in `&` starts in the background and the next line runs at
 * once (the test adds no wait: a document that needs one says so itself). A line may end with
 * `# -> TEXT` (stdout must contain TEXT) or `# exit N` (the exit code must be N; else 0); any
 * other `# comment` is the shell's.
 */
import assert from "node:assert/strict";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { TestContext } from "node:test";
import type { Spawned } from "./index.js";
import { CPIPE, isAlive as alive, spawnCaptured } from "./index.js";

/** One command line of a document. */
export interface DocCommand {
  block: "sh" | "text";
  line: string;
  /** What the shell runs (without a trailing `&` and comment). */
  command: string;
  background: boolean;
  expectOut: string | undefined;
  expectCode: number;
}

/** Longest a foreground line may run before the test fails (a guard, not a wait). */
const LINE_LIMIT_MS = 240_000;

/** The command lines of the ```sh and ```text blocks of `markdown`, in order. */
export function parseCommands(markdown: string): DocCommand[] {
  const commands: DocCommand[] = [];
  for (const block of markdown.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)) {
    const lang = block[1];
    if (lang !== "sh" && lang !== "text") continue;
    for (const raw of block[2]!.split("\n")) {
      const line = raw.trim();
      if (line === "" || line.startsWith("#")) continue;
      if (lang === "text" && !line.startsWith("cpipe ")) continue;
      const note = /^(.*?)\s+#\s*(?:->\s*(.*?)|exit\s+(\d+))\s*$/.exec(line);
      let command = note?.[1] ?? line;
      const background = /&\s*(#\s.*)?$/.test(command) && !/&&\s*(#\s.*)?$/.test(command);
      if (background) command = command.replace(/\s*&\s*(#\s.*)?$/, "");
      commands.push({
        block: lang,
        line,
        command,
        background,
        expectOut: note?.[2],
        expectCode: note?.[3] === undefined ? 0 : Number(note[3]),
      });
    }
  }
  return commands;
}

/**
 * A working directory with `cpipe` on PATH, pipes in `<dir>/pipes` ($PIPE_TOOLS_DIR) and
 * temporary files (logs of detached servers) in `dir`.
 */
export async function docShell(
  dir: string,
): Promise<{ env: NodeJS.ProcessEnv; pipes: string; cwd: string }> {
  const bin = path.join(dir, "bin");
  const pipes = path.join(dir, "pipes");
  const cwd = path.join(dir, "work");
  await Promise.all([mkdir(bin), mkdir(pipes), mkdir(cwd)]);
  await writeFile(
    path.join(bin, "cpipe"),
    `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(CPIPE)} "$@"\n`,
  );
  await chmod(path.join(bin, "cpipe"), 0o755);
  const env = {
    ...process.env,
    PATH: `${bin}:${process.env["PATH"] ?? ""}`,
    PIPE_TOOLS_DIR: pipes,
    TMPDIR: dir,
  };
  return { env, pipes, cwd };
}

/**
 * Runs `commands` in order in `cwd`, checking each one's notes. Lines of ```text blocks are
 * only checked to be valid command lines (not exit 2) unless `textBlocks` is "skip". Background jobs get Ctrl-C at
 * the end and must exit cleanly (0, or 130 for a watcher); servers a command detached are
 * killed after the test if still running.
 */
export async function runCommands(
  t: TestContext,
  commands: readonly DocCommand[],
  shell: { env: NodeJS.ProcessEnv; cwd: string; textBlocks?: "check" | "skip" },
): Promise<void> {
  const run = (line: string): Spawned =>
    spawnCaptured(t, "sh", ["-c", line], { env: shell.env, stdin: "ignore", cwd: shell.cwd });
  const background: { cmd: DocCommand; proc: Spawned }[] = [];
  const detached: number[] = [];
  t.after(() => {
    for (const pid of detached) if (alive(pid)) process.kill(pid, "SIGKILL");
  });
  for (const cmd of commands) {
    if (cmd.block === "text" && shell.textBlocks === "skip") continue;
    if (cmd.background) {
      background.push({ cmd, proc: run(`exec ${cmd.command}`) });
      continue;
    }
    const proc = run(cmd.command);
    const guard = setTimeout(() => proc.child.kill("SIGKILL"), LINE_LIMIT_MS);
    const code = await proc.exited;
    clearTimeout(guard);
    for (const m of proc.stdout().matchAll(/\(pid (\d+),/g)) detached.push(Number(m[1]));
    const where = `${cmd.line}\nexit: ${code}\nstdout: ${proc.stdout()}\nstderr: ${proc.stderr()}`;
    if (cmd.block === "text") {
      assert.notEqual(code, 2, `not a valid command line: ${where}`);
      continue;
    }
    assert.equal(code, cmd.expectCode, where);
    if (cmd.expectCode !== 0) assert.match(proc.stderr(), /^cpipe: .+\n$/, where);
    if (cmd.expectOut !== undefined) assert.ok(proc.stdout().includes(cmd.expectOut), where);
  }
  for (const { cmd, proc } of background) {
    if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill("SIGINT");
    const code = await proc.exited;
    assert.ok(code === 0 || code === 130, `${cmd.line}: exit ${code}; stderr: ${proc.stderr()}`);
  }
}
