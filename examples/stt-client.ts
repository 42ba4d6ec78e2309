/**
 * Prints live transcripts from the `stt` tool: words as they firm up, then each final
 * transcript with how long it took after the speaker stopped.
 *
 *   cpipe --serve stt &                      # listens to the default microphone
 *   node dist/examples/stt-client.js [--dir DIR] [--name stt] [--file audio.wav]
 *
 * With --file, the WAV file's samples (16-bit PCM) are streamed to the server on the data
 * channel instead, as another process or a browser would (see PROTOCOL.md, "STT audio input").
 */
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { ToolClient } from "named-pipe-tools";
import type { EventMessage } from "named-pipe-tools";

const { values } = parseArgs({
  options: {
    dir: { type: "string" },
    name: { type: "string", default: "stt" },
    file: { type: "string" },
  },
});

await using stt = await ToolClient.connect(values.name ?? "stt", {
  ...(values.dir === undefined ? {} : { dir: values.dir }),
  data: values.file !== undefined,
});

const line = (text: string): void => void process.stdout.write(`${text}\n`);
stt.on("state_changed", (msg) => line(`[state] ${String(msg["state"])}`));
stt.on("speech_start", (msg) => line(`[${String(msg["source"])}] speaking...`));
stt.on("speech", (msg: EventMessage) => line(`  ... ${String(msg["text"])}`));
stt.on("speech_end", (msg) =>
  line(
    `[${String(msg["source"])}] "${String(msg["text"])}" (${typeof msg["end_delay_ms"] === "number" ? msg["end_delay_ms"] : "?"} ms after speech ended)`,
  ),
);
stt.on("stt_error", (msg) => line(`[error] ${String(msg["message"])}`));
line(`[state] ${String((await stt.call("get_state"))["state"])}`);

if (values.file !== undefined) {
  // A minimal WAV reader: find the fmt and data chunks (16-bit PCM, any rate and channels).
  const wav = await readFile(values.file);
  let at = 12;
  let rate = 16_000;
  let channels = 1;
  let data = Buffer.alloc(0);
  while (at + 8 <= wav.length) {
    const id = wav.toString("ascii", at, at + 4);
    const size = wav.readUInt32LE(at + 4);
    if (id === "fmt ") {
      channels = wav.readUInt16LE(at + 10);
      rate = wav.readUInt32LE(at + 12);
    } else if (id === "data") {
      data = wav.subarray(at + 8, Math.min(wav.length, at + 8 + size));
      break;
    }
    at += 8 + size + (size % 2);
  }
  await stt.call("audio_format", { rate, channels, encoding: "s16le" });
  for (let i = 0; i < data.length; i += 4096) stt.sendData(data.subarray(i, i + 4096));
  stt.sendData(new Uint8Array(0)); // end of audio: finish the utterance now
  await new Promise<void>((resolve) => stt.on("speech_end", () => resolve()));
} else {
  line("listening; Ctrl-C to stop");
  await new Promise<void>((resolve) => process.once("SIGINT", resolve));
}
