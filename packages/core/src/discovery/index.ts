/**
 * Discovery: finding tool servers and orphaned pipes in a pipe directory. Used by cpipe's
 * `--list`, `--pid` and `--clear`; usable on its own.
 */
export { clearOrphans } from "./clear.js";
export type { ClearResult } from "./clear.js";
export { findHolders } from "./holders.js";
export type { PipeAccess, PipeHolder } from "./holders.js";
export { parsePipeName, pidAlive } from "./names.js";
export type { PipeName, PipeRole } from "./names.js";
export { probeTool } from "./probe.js";
export type { ToolSummary } from "./probe.js";
export { scanPipes } from "./scan.js";
export type { PipeInfo, PipeStatus, ScanOptions } from "./scan.js";
export { watchPipes } from "./watch.js";
export type { PipeWatcher, WatchPipesOptions } from "./watch.js";
