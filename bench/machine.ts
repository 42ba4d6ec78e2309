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
  };
}
