/**
 * Local playback by spawning a command-line player (no native addons): `pacat` (PulseAudio or
 * PipeWire), `aplay` (ALSA) or `play` (SoX, also on macOS). The player reads raw s16le mono on
 * its stdin; stopping kills it, which silences it at once.
 */
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { findProgram } from "named-pipe-tools";

/** A supported player command. */
export type PlayerKind = "pacat" | "aplay" | "play";

/** The player kinds, in the order auto-detection tries them. */
export const PLAYER_KINDS: readonly PlayerKind[] = ["pacat", "aplay", "play"];

function hasAlsaDevice(): boolean {
  if (existsSync(path.join(homedir(), ".asoundrc")) || existsSync("/etc/asound.conf")) return true;
  try {
    return !readFileSync("/proc/asound/cards", "utf8").includes("no soundcards");
  } catch {
    return false;
  }
}

function hasPulseServer(env: NodeJS.ProcessEnv): boolean {
  if (env["PULSE_SERVER"] !== undefined && env["PULSE_SERVER"] !== "") return true;
  const runtime = env["XDG_RUNTIME_DIR"];
  return runtime !== undefined && existsSync(path.join(runtime, "pulse", "native"));
}

/**
 * Picks a player for the default audio device, or undefined when there is no sound device this
 * machine can reach (no sound server, no ALSA card, no SoX on macOS).
 */
export function detectPlayer(env: NodeJS.ProcessEnv = process.env): PlayerKind | undefined {
  if (hasPulseServer(env) && findProgram("pacat", env) !== undefined) return "pacat";
  if (process.platform === "linux" && findProgram("aplay", env) !== undefined && hasAlsaDevice())
    return "aplay";
  if (process.platform === "darwin" && findProgram("play", env) !== undefined) return "play";
  return undefined;
}

/** The command line that plays raw s16le mono at `rate` Hz from stdin. */
export function playerCommand(
  kind: PlayerKind,
  rate: number,
  device: string | undefined,
): { cmd: string; args: string[]; env: NodeJS.ProcessEnv } {
  const r = String(rate);
  switch (kind) {
    case "pacat":
      return {
        cmd: "pacat",
        args: [
          "--playback",
          "--raw",
          "--format=s16le",
          `--rate=${r}`,
          "--channels=1",
          "--latency-msec=100",
          "--client-name=named-pipe-tools-tts",
          ...(device === undefined ? [] : ["--device", device]),
        ],
        env: {},
      };
    case "aplay":
      return {
        cmd: "aplay",
        args: [
          "-q",
          "-t",
          "raw",
          "-f",
          "S16_LE",
          "-r",
          r,
          "-c",
          "1",
          ...(device ? ["-D", device] : []),
        ],
        env: {},
      };
    case "play":
      return {
        cmd: "play",
        args: ["-q", "-t", "raw", "-e", "signed-integer", "-b", "16", "-r", r, "-c", "1", "-"],
        env: device === undefined ? {} : { AUDIODEV: device },
      };
  }
}

/** Options of {@link Player}. */
export interface PlayerOptions {
  kind: PlayerKind;
  /** Output device (pacat `--device`, aplay `-D`, SoX `AUDIODEV`) [the default device]. */
  device?: string;
  /** Called once when the player fails; playback is then off. */
  onFailure?: (message: string) => void;
}

/** A running player process, started on the first write and restarted after a stop. */
export class Player {
  readonly kind: PlayerKind;
  readonly device: string | undefined;
  #child: ChildProcessWithoutNullStreams | undefined;
  #rate = 0;
  #failed = false;
  readonly #onFailure: (message: string) => void;

  constructor(options: PlayerOptions) {
    this.kind = options.kind;
    this.device = options.device;
    this.#onFailure = options.onFailure ?? (() => undefined);
  }

  /** False once the player has failed. */
  get working(): boolean {
    return !this.#failed;
  }

  /** Plays samples (s16le mono at `rate` Hz). */
  write(pcm: Uint8Array, rate: number): void {
    if (this.#failed || pcm.byteLength === 0) return;
    if (this.#child !== undefined && this.#rate !== rate) this.stop();
    const child = this.#child ?? this.#start(rate);
    if (child?.stdin.writable === true) child.stdin.write(pcm);
  }

  #start(rate: number): ChildProcessWithoutNullStreams | undefined {
    const { cmd, args, env } = playerCommand(this.kind, rate, this.device);
    const child = spawn(cmd, args, {
      stdio: ["pipe", "ignore", "pipe"],
      env: { ...process.env, ...env },
    }) as unknown as ChildProcessWithoutNullStreams;
    let stderr = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (d: string) => {
      if (stderr.length < 1000) stderr += d;
    });
    child.stdin.on("error", () => undefined); // reported by 'exit'
    child.once("error", (err) => this.#fail(`${cmd}: ${err.message}`));
    child.once("exit", (code, signal) => {
      if (this.#child === child) this.#child = undefined;
      if (signal === null && code !== 0 && code !== null) {
        this.#fail(`${cmd} exited with ${code}: ${stderr.trim().split("\n")[0] ?? ""}`);
      }
    });
    this.#child = child;
    this.#rate = rate;
    return child;
  }

  #fail(message: string): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#onFailure(message);
  }

  /** Silences playback now (kills the player; the next write starts a new one). */
  stop(): void {
    const child = this.#child;
    this.#child = undefined;
    child?.kill("SIGKILL");
  }

  /** Lets the player finish what it holds, then ends it (killed after `timeoutMs`). */
  async close(timeoutMs = 3000): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.stdin.end();
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    await exited;
    clearTimeout(timer);
  }
}
