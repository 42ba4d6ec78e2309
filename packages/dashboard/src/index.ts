/**
 * named-pipe-tools-dashboard: the full-screen terminal dashboard of named-pipe-tools, opened by
 * `cpipe --tui` (and by a bare `cpipe` on a terminal).
 * @packageDocumentation
 */
import type { DashboardOptions, runDashboard as runInk } from "./run.js";

export type { DashboardOptions } from "./run.js";

/** Variables by which Ink (and the colour check it uses) decide, once, that they run under CI. */
const CI_VARIABLES = ["CI", "CONTINUOUS_INTEGRATION"] as const;

/**
 * Opens the dashboard on the terminal; resolves with the exit code once it is closed (0 after
 * quitting, 1 after a crash, 128+n after a signal). React's production build is chosen before
 * React loads (it reads NODE_ENV once), unless NODE_ENV says otherwise.
 *
 * Ink draws nothing until exit when `CI` is set (it reads it once, at import); the dashboard
 * only ever runs on a terminal, so those variables are hidden while Ink loads and then restored
 * (servers launched from the dashboard still see them).
 */
export async function runDashboard(options: DashboardOptions = {}): Promise<number> {
  process.env["NODE_ENV"] ??= "production";
  const saved = CI_VARIABLES.map((name) => [name, process.env[name]] as const);
  for (const [name] of saved) delete process.env[name];
  let run: typeof runInk;
  try {
    run = (await import("./run.js")).runDashboard;
  } finally {
    for (const [name, value] of saved) if (value !== undefined) process.env[name] = value;
  }
  return run(options);
}
