/**
 * A private PulseAudio daemon with null sinks: a real sound-server loopback for tests
 * (`paplay -d SINK` plays into it; `SINK.monitor` is an input device that hears it).
 */
import { execFile, spawn } from "node:child_process";
import path from "node:path";
import type { TestContext } from "node:test";
import { promisify } from "node:util";
import { tempDir, until } from "named-pipe-tools-testkit";

const run = promisify(execFile);

/** A running daemon: the environment that reaches it. */
export interface Pulse {
  env: NodeJS.ProcessEnv;
  /** Plays a file into a sink and resolves when it has finished playing. */
  play(sink: string, file: string): Promise<void>;
}

/** Starts a daemon with one null sink per name; stopped after the test. */
export async function startPulse(t: TestContext, sinks: string[]): Promise<Pulse> {
  const home = await tempDir(t, "stt-pulse-");
  const env = {
    ...process.env,
    HOME: home,
    XDG_RUNTIME_DIR: home,
    PULSE_RUNTIME_PATH: path.join(home, "pulse"),
    PULSE_SERVER: `unix:${path.join(home, "pulse", "native")}`,
  };
  const args = [
    "-n",
    "--daemonize=no",
    "--exit-idle-time=-1",
    "--disable-shm=yes",
    "--use-pid-file=no",
    "-L",
    "module-native-protocol-unix",
  ];
  for (const sink of sinks) args.push("-L", `module-null-sink sink_name=${sink}`);
  const daemon = spawn("pulseaudio", args, { env, stdio: "ignore" });
  t.after(() => {
    daemon.kill("SIGTERM");
  });
  // Ready once it answers (a readiness check, not a fixed wait).
  await until(
    () =>
      run("pactl", ["info"], { env, timeout: 2000 }).then(
        () => true,
        () => false,
      ),
    30_000,
    "pulseaudio to answer",
  );
  return {
    env,
    play: async (sink, file) => {
      await run("paplay", ["-d", sink, file], { env, timeout: 60_000 });
    },
  };
}
