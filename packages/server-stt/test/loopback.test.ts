import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { ToolClient } from "named-pipe-tools";
import { spawnNode, tempDir, waitForOutput } from "named-pipe-tools-testkit";
import { startPulse } from "./pulse-fixture.js";
import { EventLog, skipUnless, speakToFile } from "./stt-helpers.js";

const WAIT = 60_000;
const PHRASES = ["turn on the kitchen light", "what time is it", "stop the music"];

test("microphone through a PulseAudio loopback: exact words, device switching, pause and start", async (t) => {
  const skip = await skipUnless(
    "espeak-ng",
    "pocketsphinx_continuous",
    "pulseaudio",
    "pactl",
    "parec",
    "paplay",
  );
  if (skip !== undefined) return t.skip(skip);
  const work = await tempDir(t);
  const pulse = await startPulse(t, ["stt_a", "stt_b"]);
  const server = spawnNode(
    t,
    fileURLToPath(new URL("../src/main.js", import.meta.url)),
    [
      "--capture",
      "parec",
      "--device",
      "stt_a.monitor",
      "--keywords",
      PHRASES.join(","),
      "--dir",
      work,
    ],
    pulse.env,
  );
  await waitForOutput(server, (out) => out.includes("ready "), WAIT);
  const client = await ToolClient.connect("stt", { dir: work, callTimeoutMs: WAIT });
  t.after(() => client.close());
  const log = new EventLog(client);
  assert.equal((await client.call("get_state")).state, "listening");

  const devices = (await client.call("list_devices"))["devices"] as {
    index: number;
    name: string;
    channels: number;
  }[];
  const names = devices.map((d) => d.name);
  assert.ok(names.includes("stt_a.monitor") && names.includes("stt_b.monitor"), names.join(", "));
  const a = devices.find((d) => d.name === "stt_a.monitor");
  assert.equal(a?.channels, 2);
  assert.deepEqual((await client.call("get_device"))["device"], a?.index);

  const files = await Promise.all(PHRASES.map((p, i) => speakToFile(work, `p${i}`, p)));
  const heard = async (n: number): Promise<string> => {
    await log.until(() => log.named("speech_end").length >= n, WAIT, `speech_end #${n}`);
    return String(log.named("speech_end")[n - 1]?.["text"]);
  };
  await pulse.play("stt_a", files[0] ?? "");
  assert.equal(await heard(1), PHRASES[0]);
  const end = log.named("speech_end")[0];
  assert.equal(end?.["source"], "mic");
  t.diagnostic(
    `end of speech -> final transcript: ${String(end?.["end_delay_ms"])} ms (VAD offset 600 ms + decode ${String(end?.["decode_ms"])} ms)`,
  );

  // Switch to the other sink's monitor: what plays there is heard.
  const switched = await client.call("set_device", { device: "stt_b" });
  assert.equal(switched["name"], "stt_b.monitor");
  await pulse.play("stt_b", files[1] ?? "");
  assert.equal(await heard(2), PHRASES[1]);
  await assert.rejects(
    client.call("set_device", { device: "no-such-device" }),
    /no input device matching 'no-such-device'/,
  );

  await client.call("pause");
  assert.equal((await client.call("get_state")).state, "paused");
  await client.call("start");
  assert.equal((await client.call("get_state")).state, "listening");
  await pulse.play("stt_b", files[2] ?? "");
  assert.equal(await heard(3), PHRASES[2]);
  assert.equal(log.named("stt_error").length, 0, JSON.stringify(log.named("stt_error")));
  server.child.kill("SIGTERM");
  await server.exited;
});
