/**
 * A server without its microphone or its engine, as a user starts it: it says why on stderr
 * once, serves in state `error`, and the commands that need the missing piece answer with the
 * fix.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import type { RemoteError } from "named-pipe-tools";
import { ToolClient } from "named-pipe-tools";
import type { Spawned } from "named-pipe-tools-testkit";
import { spawnNode, tempDir, waitForOutput } from "named-pipe-tools-testkit";
import { skipUnless } from "./stt-helpers.js";

const MAIN = fileURLToPath(new URL("../src/main.js", import.meta.url));
const WAIT = 30_000;

/** Non-empty stderr lines. */
function errLines(proc: Spawned): string[] {
  return proc
    .stderr()
    .split("\n")
    .filter((l) => l.trim() !== "");
}

test("no microphone: one stderr line, state error, start answers with the fix", async (t) => {
  const skip = await skipUnless("pocketsphinx_continuous", "parec");
  if (skip !== undefined) return t.skip(skip);
  const dir = await tempDir(t);
  // parec cannot reach this sound server and exits at once, as with no sound device at all.
  const proc = spawnNode(
    t,
    MAIN,
    ["--capture", "parec", "--keywords", "stop the music", "--dir", dir],
    {
      PULSE_SERVER: `unix:${dir}/no-such-pulse-server`,
    },
  );
  await waitForOutput(proc, (out) => out.includes("ready "), WAIT);
  const lines = errLines(proc);
  assert.equal(lines.length, 1, proc.stderr());
  assert.match(lines[0] ?? "", /^\[stt\] microphone unavailable: parec stopped capturing/);
  const client = await ToolClient.connect("stt", { dir, callTimeoutMs: WAIT });
  t.after(() => client.close());
  assert.equal((await client.call("get_state"))["state"], "error");
  assert.match(String((await client.call("get_config"))["error"]), /parec stopped capturing/);
  await assert.rejects(client.call("start"), (err: RemoteError) => {
    assert.match(err.message, /parec stopped capturing.*--input data/);
    return true;
  });
  assert.equal((await client.call("get_state"))["state"], "error");
  await client.call("stop");
  assert.equal(await proc.exited, 0);
});

test("no engine model: one stderr line, state error, transcribe answers with the fix", async (t) => {
  const dir = await tempDir(t);
  const proc = spawnNode(t, MAIN, [
    "--engine",
    "whisper",
    "--model",
    `${dir}/ggml-missing.bin`,
    "--input",
    "none",
    "--dir",
    dir,
  ]);
  await waitForOutput(proc, (out) => out.includes("ready "), WAIT);
  const lines = errLines(proc);
  assert.equal(lines.length, 1, proc.stderr());
  assert.match(
    lines[0] ?? "",
    /^\[stt\] cannot transcribe: whisper model: model '.*' does not exist/,
  );
  const client = await ToolClient.connect("stt", { dir, callTimeoutMs: WAIT });
  t.after(() => client.close());
  assert.equal((await client.call("get_state"))["state"], "error");
  await assert.rejects(client.call("transcribe", { path: "x.wav" }), (err: RemoteError) => {
    assert.match(err.message, /does not exist \(give an existing path, or one of: tiny\.en/);
    return true;
  });
  await assert.rejects(client.call("start"), /does not exist/);
  await client.call("stop");
  assert.equal(await proc.exited, 0);
});
