/**
 * Removes the FIFOs of clients still open when the process exits, so a process that forgets to
 * close its clients leaves nothing behind in the pipe directory.
 */
import { removeFifoSync } from "../transport/fifo.js";

const live = new Set<string>();
let installed = false;

function onExit(): void {
  for (const path of live) removeFifoSync(path);
}

/** Registers pipes to remove at exit. */
export function rememberPipes(paths: readonly string[]): void {
  for (const p of paths) live.add(p);
  if (!installed) {
    installed = true;
    process.on("exit", onExit);
  }
}

/** Unregisters pipes (their client removed them itself). */
export function forgetPipes(paths: readonly string[]): void {
  for (const p of paths) live.delete(p);
}
