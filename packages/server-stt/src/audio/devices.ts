/**
 * Input devices: PulseAudio sources (via `pactl`) where a sound server runs, else ALSA PCMs
 * (via `arecord -L`). Devices are numbered by their position in the list.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { findProgram } from "named-pipe-tools";

const run = promisify(execFile);

/** The capture programs we can drive. */
export type CaptureBackend = "parec" | "arecord" | "sox";

/** One input device, in the reference's shape plus the name to open it by. */
export interface InputDevice {
  /** Position in the list (what `set_device` takes). */
  index: number;
  /** Name to open it by (PulseAudio source or ALSA PCM name). */
  name: string;
  /** Channel count, where known. */
  channels: number | null;
  /** The capture program that opens it. */
  backend: CaptureBackend;
}

/** Whether a PulseAudio (or PipeWire-Pulse) server answers. */
export async function pulseRunning(): Promise<boolean> {
  if (findProgram("pactl") === undefined) return false;
  try {
    await run("pactl", ["info"], { timeout: 3000 });
    return true;
  } catch {
    return false;
  }
}

/** Picks the capture program: parec with a sound server, else arecord, else sox. */
export async function chooseBackend(
  preferred?: CaptureBackend,
): Promise<CaptureBackend | undefined> {
  if (preferred !== undefined) return findProgram(preferred) === undefined ? undefined : preferred;
  if (findProgram("parec") !== undefined && (await pulseRunning())) return "parec";
  if (findProgram("arecord") !== undefined) return "arecord";
  if (findProgram("sox") !== undefined) return "sox";
  return undefined;
}

/** Lists the input devices the given capture program can open. */
export async function listDevices(backend: CaptureBackend): Promise<InputDevice[]> {
  if (backend === "parec") {
    const { stdout } = await run("pactl", ["list", "short", "sources"], { timeout: 3000 });
    return stdout
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((line, index) => {
        const cols = line.split("\t");
        const ch = /(\d+)ch/.exec(cols[3] ?? "");
        return { index, name: cols[1] ?? "", channels: ch ? Number(ch[1]) : null, backend };
      });
  }
  if (backend === "arecord") {
    const { stdout } = await run("arecord", ["-L"], { timeout: 3000 }).catch(() => ({
      stdout: "",
    }));
    return stdout
      .split("\n")
      .filter((l) => l !== "" && !/^\s/.test(l))
      .map((name, index) => ({ index, name: name.trim(), channels: null, backend }));
  }
  return [{ index: 0, name: "default", channels: null, backend }];
}

/**
 * Finds a device by index (number or digit string) or by a case-insensitive substring of its
 * name. Returns undefined when nothing matches.
 */
export function matchDevice(
  devices: readonly InputDevice[],
  wanted: number | string,
): InputDevice | undefined {
  if (typeof wanted === "number" || /^\d+$/.test(wanted)) {
    return devices.find((d) => d.index === Number(wanted));
  }
  const needle = wanted.toLowerCase();
  return (
    devices.find((d) => d.name.toLowerCase() === needle) ??
    devices.find((d) => d.name.toLowerCase().includes(needle))
  );
}
