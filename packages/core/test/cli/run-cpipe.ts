/**
 * Driving the real cpipe binary (dist/src/cli/main.js, the package's `bin`) from tests.
 */
import type { TestContext } from "node:test";
import type { Spawned } from "named-pipe-tools-testkit";
import { CPIPE, spawnNode, waitForOutput } from "named-pipe-tools-testkit";

export { CPIPE };

/** What one cpipe run produced. */
export interface CpipeResult {
  code: number | string;
  stdout: string;
  stderr: string;
}

/** Starts cpipe with `PIPE_TOOLS_DIR=dir` (so nothing ever touches /tmp itself). */
export function startCpipe(
  t: TestContext,
  dir: string,
  args: string[],
  options: { stdin?: string } = {},
): Spawned {
  const proc = spawnNode(t, CPIPE, args, { PIPE_TOOLS_DIR: dir });
  proc.child.stdin?.end(options.stdin ?? "");
  return proc;
}

/** Runs cpipe to completion. */
export async function cpipe(
  t: TestContext,
  dir: string,
  args: string[],
  options: { stdin?: string } = {},
): Promise<CpipeResult> {
  const proc = startCpipe(t, dir, args, options);
  const code = await proc.exited;
  return { code, stdout: proc.stdout(), stderr: proc.stderr() };
}

/** Waits until `proc` has written `text` to stderr. */
export function waitForStderr(proc: Spawned, text: string, ms = 10_000): Promise<void> {
  return waitForOutput(proc, (_out, err) => err.includes(text), ms);
}

/** Waits until `proc` has written `text` to stdout. */
export function waitForStdout(proc: Spawned, text: string, ms = 10_000): Promise<void> {
  return waitForOutput(proc, (out) => out.includes(text), ms);
}
