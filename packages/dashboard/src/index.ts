/**
 * named-pipe-tools-dashboard: the full-screen terminal dashboard of named-pipe-tools, opened by
 * `cpipe --tui` (and by a bare `cpipe` on a terminal).
 * @packageDocumentation
 */
import type { DashboardOptions } from "./run.js";

export type { DashboardOptions } from "./run.js";

/**
 * Opens the dashboard on the terminal; resolves with the exit code once it is closed (0 after
 * quitting, 1 after a crash, 128+n after a signal). React's production build is chosen before
 * React loads (it reads NODE_ENV once), unless NODE_ENV says otherwise.
 */
export async function runDashboard(options: DashboardOptions = {}): Promise<number> {
  process.env["NODE_ENV"] ??= "production";
  return (await import("./run.js")).runDashboard(options);
}
