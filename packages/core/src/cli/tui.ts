/**
 * `cpipe --tui` and a bare `cpipe`: the full-screen dashboard. It lives in its own package
 * (named-pipe-tools-dashboard, with Ink and React), loaded by name only when it opens, so the
 * core keeps one runtime dependency and `cpipe NAME ping` never pays for it.
 */
import { loadPackageFunction } from "../serve/load-type.js";
import { findPackage, installCommand } from "../serve/packages.js";
import type { TuiCommand } from "./args.js";
import { ExitCode, printError } from "./errors.js";

/** The dashboard's npm package. */
export const DASHBOARD_PACKAGE = "named-pipe-tools-dashboard";

/** What the dashboard package exports for cpipe. */
type RunDashboard = (options: { dir?: string }) => Promise<number>;

/** Runs `cpipe --tui [--dir DIR]`; resolves with the exit code once the dashboard closes. */
export async function runTui(cmd: TuiCommand): Promise<number> {
  let run: RunDashboard;
  try {
    run = await loadPackageFunction<RunDashboard>(
      DASHBOARD_PACKAGE,
      "the dashboard",
      "runDashboard",
    );
  } catch (err) {
    printError(`--tui: ${(err as Error).message}`);
    return ExitCode.Failed;
  }
  return run(cmd.dir === undefined ? {} : { dir: cmd.dir });
}

/**
 * A bare `cpipe`: the dashboard when both ends are a terminal and it is installed; else the
 * help (plus, on a terminal, how to install the dashboard).
 */
export async function runBare(): Promise<number> {
  const terminal = process.stdin.isTTY === true && process.stdout.isTTY === true;
  if (terminal && findPackage(DASHBOARD_PACKAGE) !== undefined) return runTui({ kind: "tui" });
  process.stdout.write((await import("./usage.js")).HELP);
  if (terminal) {
    process.stdout.write(
      `\nThe dashboard (cpipe --tui) is not installed; install it with: ${installCommand(DASHBOARD_PACKAGE)}\n`,
    );
  }
  return ExitCode.Ok;
}
