/**
 * The server as a process, as a user runs it: main.js with --wav and no sound device, driven by
 * a client and by the cpipe CLI (`cpipe tts speak "Hello world."`).
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import type { RemoteError } from "named-pipe-tools";
import { ToolClient } from "named-pipe-tools";
import { CPIPE, spawnNode, tempDir, waitForOutput } from "named-pipe-tools-testkit";
import { NO_ESPEAK, rms } from "./tts-helpers.js";

const run = promisify(execFile);
const MAIN = fileURLToPath(new URL("../src/main.js", import.meta.url));

test("main.js serves; cpipe tts speak speaks into --wav", { skip: NO_ESPEAK }, async (t) => {
  const dir = await tempDir(t, "tts-main-");
  const wav = path.join(dir, "out.wav");
  const proc = spawnNode(t, MAIN, ["--dir", dir, "--wav", wav, "--no-play", "--pace", "fast"]);
  await waitForOutput(proc, (out) => out.includes(`ready ${path.join(dir, "tool-tts")}`));
  if (existsSync(CPIPE)) {
    // The one-argument command takes its text from `data`: speak {text: "Hello world."}.
    await run(process.execPath, [CPIPE, "--dir", dir, "tts", "speak", "Hello world."]);
    await run(process.execPath, [CPIPE, "--dir", dir, "tts", "stop"]);
  } else {
    t.diagnostic("cpipe is not built; stopping with a signal");
    proc.child.kill("SIGTERM");
  }
  await proc.exited;
  if (!existsSync(CPIPE)) return;
  const file = await readFile(wav);
  const seconds = (file.length - 44) / 2 / 22050;
  assert.equal(file.readUInt32LE(40), file.length - 44);
  assert.ok(seconds > 0.5 && seconds < 2, `${seconds} s`);
  assert.ok(rms(file.subarray(44)) > 500);
});

test("main.js exits 2 with a one-line error on a bad option", async (t) => {
  const proc = spawnNode(t, MAIN, ["--rate", "fast"]);
  assert.equal(await proc.exited, 2);
  assert.equal(proc.stderr(), "tts: --rate needs a number, got 'fast'; see '--help'\n");
  assert.equal(proc.stdout(), "");
});

test("main.js without espeak-ng: one stderr line, state error, speak answers with the fix", async (t) => {
  const dir = await tempDir(t, "tts-main-");
  const proc = spawnNode(t, MAIN, [
    "--dir",
    dir,
    "--no-play",
    "--espeak",
    "/nonexistent/espeak-ng",
  ]);
  await waitForOutput(proc, (out) => out.includes("ready "));
  const lines = proc
    .stderr()
    .split("\n")
    .filter((l) => l !== "");
  assert.deepEqual(lines.length, 1, proc.stderr());
  assert.match(
    lines[0] ?? "",
    /^\[tts\] cannot speak: .*not installed \(Debian: apt-get install espeak-ng/,
  );
  const client = await ToolClient.connect("tts", { dir });
  t.after(() => client.close());
  assert.equal((await client.call("get_state"))["state"], "error");
  await assert.rejects(
    client.call("speak", { text: "Hello." }),
    (err: RemoteError) =>
      err.remoteCode === "no_engine" && /apt-get install espeak-ng/.test(err.message),
  );
  await client.call("stop");
  assert.equal(await proc.exited, 0);
});
