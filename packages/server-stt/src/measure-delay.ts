#!/usr/bin/env node
/**
 * Measures the delay from the end of speech to the final transcript through a real sound
 * server: starts a private PulseAudio daemon with a null sink, an stt server listening to its
 * monitor, plays espeak-ng sentences into it and prints what was heard and how fast.
 *
 *   node dist/packages/server-stt/src/measure-delay.js [stt server options, e.g. --keywords ...]
 *
 * Needs pulseaudio, pulseaudio-utils, espeak-ng and pocketsphinx.
 */
import { execFile, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { ToolClient } from "named-pipe-tools";

const run = promisify(execFile);
const SENTENCES = [
  "turn on the kitchen light",
  "what time is it",
  "stop the music",
  "turn off the garden light",
];

const home = await mkdtemp(path.join(tmpdir(), "stt-measure-"));
const env = {
  ...process.env,
  HOME: home,
  XDG_RUNTIME_DIR: home,
  PULSE_SERVER: `unix:${home}/pulse/native`,
};
const pulse = spawn(
  "pulseaudio",
  [
    "-n",
    "--daemonize=no",
    "--exit-idle-time=-1",
    "--disable-shm=yes",
    "--use-pid-file=no",
    "-L",
    "module-native-protocol-unix",
    "-L",
    "module-null-sink sink_name=measure",
  ],
  { env: { ...env, PULSE_RUNTIME_PATH: `${home}/pulse` }, stdio: "ignore" },
);
const main = fileURLToPath(new URL("./main.js", import.meta.url));
const server = spawn(
  process.execPath,
  [
    main,
    "--capture",
    "parec",
    "--device",
    "measure.monitor",
    "--dir",
    home,
    ...process.argv.slice(2),
  ],
  {
    env,
    stdio: ["ignore", "pipe", "inherit"],
  },
);
try {
  for (let i = 0; ; i++) {
    if (
      await run("pactl", ["info"], { env }).then(
        () => true,
        () => false,
      )
    )
      break;
    if (i > 100) throw new Error("pulseaudio did not start");
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise<void>((resolve, reject) => {
    server.once("exit", (code) => reject(new Error(`stt server exited with ${code}`)));
    server.stdout.on("data", (chunk: Buffer) => chunk.toString().includes("ready") && resolve());
  });
  const client = await ToolClient.connect("stt", { dir: home });
  for (const [i, said] of SENTENCES.entries()) {
    const file = path.join(home, `${i}.wav`);
    await run("espeak-ng", ["-w", file, said]);
    const ended = new Promise<Record<string, unknown>>((resolve) => {
      const off = client.on("speech_end", (msg) => {
        off();
        resolve(msg);
      });
    });
    await run("paplay", ["-d", "measure", file], { env });
    const msg = await ended;
    const { text: heard, end_delay_ms, decode_ms } = msg;
    process.stdout.write(`${JSON.stringify({ said, heard, end_delay_ms, decode_ms })}\n`);
  }
  await client.close();
} finally {
  server.kill("SIGTERM");
  pulse.kill("SIGTERM");
  await rm(home, { recursive: true, force: true });
}
