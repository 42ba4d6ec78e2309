/**
 * Local playback against a real sound server started by the test: a private PulseAudio daemon
 * with a null sink, whose monitor source `parec` records. The tts server runs as its own
 * process (main.js) and plays through `pacat`.
 */
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { execFile, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { TestContext } from "node:test";
import { test } from "node:test";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { ToolClient, findProgram } from "named-pipe-tools";
import { spawnNode, tempDir, until, waitForOutput } from "named-pipe-tools-testkit";
import { NO_ESPEAK, rms, voicedMs, voicedSpan } from "./tts-helpers.js";

const run = promisify(execFile);
const MAIN = fileURLToPath(new URL("../src/main.js", import.meta.url));
const RATE = 22050;
const NO_PULSE = ["pulseaudio", "pactl", "pacat", "parec"].every(
  (c) => findProgram(c) !== undefined,
)
  ? false
  : "PulseAudio is not installed (apt-get install pulseaudio pulseaudio-utils)";

function track(t: TestContext, child: ChildProcess): void {
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
}

/** Starts a private PulseAudio daemon with a null sink; resolves with its PULSE_SERVER. */
async function startPulse(t: TestContext, dir: string): Promise<string> {
  const socket = path.join(dir, "native");
  const env = { ...process.env, HOME: dir, XDG_RUNTIME_DIR: dir, XDG_CONFIG_HOME: dir };
  const daemon = spawn(
    "pulseaudio",
    [
      "-n",
      "--daemonize=no",
      "--exit-idle-time=-1",
      "--use-pid-file=no",
      "--disable-shm=yes",
      "--log-level=error",
      "-L",
      `module-native-protocol-unix auth-anonymous=1 socket=${socket}`,
      "-L",
      `module-null-sink sink_name=tts_test rate=${RATE} channels=1`,
    ],
    { env, stdio: ["ignore", "ignore", "pipe"] },
  );
  track(t, daemon);
  let stderr = "";
  daemon.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const server = `unix:${socket}`;
  await until(
    async () => {
      if (daemon.exitCode !== null) throw new Error(`pulseaudio exited: ${stderr}`);
      return run("pactl", ["info"], { env: { ...env, PULSE_SERVER: server } }).then(
        () => true,
        () => false,
      );
    },
    10_000,
    "pulseaudio to start",
  );
  return server;
}

test(
  "plays on the default device of a real sound server: not silent, expected length",
  { skip: NO_ESPEAK || NO_PULSE },
  async (t) => {
    const dir = await tempDir(t, "tts-pa-");
    const pulse = await startPulse(t, dir);
    const env = { PULSE_SERVER: pulse, HOME: dir, XDG_RUNTIME_DIR: dir };
    const rec = spawn(
      "parec",
      [
        "-d",
        "tts_test.monitor",
        "--raw",
        "--format=s16le",
        `--rate=${RATE}`,
        "--channels=1",
        "--latency-msec=20",
      ],
      { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "ignore"] },
    );
    track(t, rec);
    const chunks: Buffer[] = [];
    rec.stdout.on("data", (d: Buffer) => chunks.push(d));
    await until(() => chunks.length > 0, 5000, "parec to record");

    const wav = path.join(dir, "spoken.wav");
    // --play auto must find the sound server through PULSE_SERVER and pick pacat.
    const proc = spawnNode(t, MAIN, ["--dir", dir, "--device", "tts_test", "--wav", wav], env);
    await waitForOutput(proc, (out) => out.includes("ready "));
    const client = await ToolClient.connect("tts", { dir });
    t.after(() => client.close());
    assert.equal((await client.call("get_config"))["player"], "pacat");
    const recordedBefore = Buffer.concat(chunks).length;
    const reply = await client.call("speak", { text: "Hello world." });
    assert.equal(reply["event"], "spoken");
    await client.call("stop");
    await proc.exited;

    const spoken = (await readFile(wav)).subarray(44);
    const expected = voicedSpan(spoken, RATE);
    assert.ok(expected !== undefined);
    // Wait until the recording holds the whole utterance followed by 300 ms of silence.
    let heard: { start: number; end: number } | undefined;
    await until(
      () => {
        const pcm = Buffer.concat(chunks).subarray(recordedBefore - (recordedBefore % 2));
        heard = voicedSpan(pcm, RATE);
        return heard !== undefined && pcm.length / 2 - heard.end > 0.3 * RATE;
      },
      10_000,
      "the utterance to be recorded",
    );
    const captured = Buffer.concat(chunks).subarray(recordedBefore - (recordedBefore % 2));
    const span = heard!;
    const heardMs = ((span.end - span.start) / RATE) * 1000;
    const expectedMs = ((expected.end - expected.start) / RATE) * 1000;
    // The loud parts match to a few windows; the span may only grow (an underrun on a loaded
    // machine inserts silence, it never drops audio).
    const voiced0 = voicedMs(spoken, RATE);
    const voiced1 = voicedMs(captured.subarray(span.start * 2, span.end * 2), RATE);
    assert.ok(
      Math.abs(voiced1 - voiced0) <= 50,
      `heard ${voiced1} ms of voiced audio, expected ${voiced0} ms`,
    );
    assert.ok(
      heardMs > expectedMs - 50 && heardMs < expectedMs + 500,
      `heard ${heardMs} ms, expected ${expectedMs} ms`,
    );
    const voiced = captured.subarray(span.start * 2, span.end * 2);
    assert.ok(
      rms(voiced) > 0.5 * rms(spoken.subarray(expected.start * 2, expected.end * 2)),
      "the sound came out at full level",
    );
  },
);
