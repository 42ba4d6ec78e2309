/**
 * A description of the machine the bench ran on (for the JSON results and the README).
 */
import os from "node:os";

/** The `machine` object of the results JSON. */
export interface MachineInfo {
  cpu: string;
  cores: number;
  memory_gib: number;
  node: string;
  os: string;
  date: string;
  /**
   * Load averages (1, 5, 15 min) when the run began and ended; the bench itself adds about one
   * (two processes taking turns).
   */
  load_start?: number[];
  load_end?: number[];
  /** "idle" when the 1-minute load average was below half the cores at both ends, else "busy". */
  state?: "idle" | "busy";
}

/** Rounds load averages for the record. */
export function loadNow(): number[] {
  return os.loadavg().map((l) => Math.round(l * 100) / 100);
}

/** Records the load at the end of the run and whether the machine was idle. */
export function finishMachineInfo(info: MachineInfo): MachineInfo {
  const end = loadNow();
  const idle = (l: number[] | undefined) => l !== undefined && (l[0] ?? 0) < info.cores / 2;
  return { ...info, load_end: end, state: idle(info.load_start) && idle(end) ? "idle" : "busy" };
}

/** Describes this machine now. */
export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? "unknown",
    cores: os.availableParallelism(),
    memory_gib: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    date: new Date().toISOString(),
    load_start: loadNow(),
  };
}
