/**
 * A private PulseAudio sound server for the loopback: its own runtime directory and socket
 * (no system or user daemon is touched, none is autospawned), with null sinks. A null sink
 * plays into nothing in real time, and its `.monitor` source hears what it plays: a WAV played
 * into a sink is a virtual microphone for whoever records its monitor.
 */
import type { ChildProcess } from "node:child_process";
import { execFile, spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { promisify } from "node:util";

const run = promisify(execFile);

/** A null sink to create. */
export interface SinkSpec {
  name: string;
  /** Sample rate, Hz (mono). */
  rate: number;
}

/** A running private sound server. */
export interface PrivatePulse {
  /** What a client (pacat, parec, a server the agent starts) needs in its environment. */
  env: Record<string, string>;
  /** Plays a sound file into `sink`; resolves when it has been played. */
  play(sink: string, file: string): Promise<void>;
  /** How many recording streams `source` has now. */
  captures(source: string): Promise<number>;
  /** Stops the daemon (and waits for it). */
  stop(): Promise<void>;
}

/** Programs the loopback needs, with the Debian package that brings each. */
export const PULSE_PROGRAMS: Readonly<Record<string, string>> = {
  pulseaudio: "pulseaudio",
  pactl: "pulseaudio-utils",
  pacat: "pulseaudio-utils",
  parec: "pulseaudio-utils",
  paplay: "pulseaudio-utils",
};

/**
 * Starts a daemon whose runtime directory is `dir` (which must exist and be private), with one
 * null sink per spec and the given default sink and source. Resolves once it answers.
 */
export async function startPrivatePulse(
  dir: string,
  sinks: readonly SinkSpec[],
  defaults: { sink: string; source: string },
  timeoutMs = 15_000,
): Promise<PrivatePulse> {
  const socket = path.join(dir, "native");
  const clientConf = path.join(dir, "client.conf");
  await writeFile(clientConf, "autospawn = no\n", { mode: 0o600 });
  const env = { PULSE_SERVER: `unix:${socket}`, PULSE_CLIENTCONFIG: clientConf };
  const daemonEnv = {
    ...process.env,
    ...env,
    HOME: dir,
    XDG_RUNTIME_DIR: dir,
    XDG_CONFIG_HOME: dir,
    PULSE_RUNTIME_PATH: path.join(dir, "pulse"),
    PULSE_STATE_PATH: path.join(dir, "state"),
  };
  const args = [
    "-n", // no default.pa: only the modules below
    "--daemonize=no",
    "--exit-idle-time=-1",
    "--use-pid-file=no",
    "--disable-shm=yes",
    "--log-level=error",
    "-L",
    `module-native-protocol-unix auth-anonymous=1 socket=${socket}`,
  ];
  for (const sink of sinks) {
    args.push("-L", `module-null-sink sink_name=${sink.name} rate=${sink.rate} channels=1`);
  }
  const daemon = spawn("pulseaudio", args, { env: daemonEnv, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  daemon.stderr.setEncoding("utf8").on("data", (d: string) => {
    stderr = (stderr + d).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => daemon.once("exit", () => resolve()));
  daemon.once("error", () => undefined); // reported by the readiness check
  const clientEnv = { ...process.env, ...env };
  const pactl = (...a: string[]) => run("pactl", a, { env: clientEnv, timeout: 5000 });
  const stop = async (): Promise<void> => stopDaemon(daemon, exited);
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (daemon.exitCode !== null || daemon.signalCode !== null) {
        throw new Error(`pulseaudio exited: ${stderr.trim() || "no message"}`);
      }
      const ok = await pactl("info").then(
        () => true,
        () => false,
      );
      if (ok) break;
      if (Date.now() > deadline)
        throw new Error(`pulseaudio did not answer within ${timeoutMs} ms`);
      await delay(50);
    }
    await pactl("set-default-sink", defaults.sink);
    await pactl("set-default-source", defaults.source);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    env,
    play: async (sink, file) => {
      await run("paplay", ["-d", sink, file], { env: clientEnv, timeout: 120_000 });
    },
    captures: async (source) => {
      const rows = async (what: string): Promise<string[][]> =>
        (await pactl("list", "short", what)).stdout
          .split("\n")
          .filter((l) => l.trim() !== "")
          .map((l) => l.split("\t"));
      const index = (await rows("sources")).find((r) => r[1] === source)?.[0];
      return (await rows("source-outputs")).filter((r) => r[1] === index).length;
    },
    stop,
  };
}

async function stopDaemon(daemon: ChildProcess, exited: Promise<void>): Promise<void> {
  if (daemon.exitCode !== null || daemon.signalCode !== null) return;
  daemon.kill("SIGTERM");
  const killed = setTimeout(() => daemon.kill("SIGKILL"), 3000);
  await exited;
  clearTimeout(killed);
}
