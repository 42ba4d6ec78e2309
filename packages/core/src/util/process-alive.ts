/**
 * Whether a process exists, without touching it.
 */

/**
 * True when `pid` names a running process (of any user: `EPERM` means it exists); false for
 * a pid that is not a positive 32-bit integer.
 */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0 || pid > 0x7fffffff) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
