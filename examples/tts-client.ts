/**
 * Streams an LLM's tokens into the TTS server, so speech starts while the model is still
 * generating, and reports the time from the first token to the first audio frame.
 *
 *   cpipe --serve chat &  cpipe --serve tts &
 *   node dist/examples/tts-client.js [--dir DIR] [--prompt TEXT]
 *
 * Needs a `chat` tool (its `chat {messages}` streams token events) and a `tts` tool.
 */
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { ToolClient } from "named-pipe-tools";
import type { EventMessage } from "named-pipe-tools";
import { decodeFrame } from "named-pipe-tools-tts";

const { values } = parseArgs({
  options: {
    dir: { type: "string" },
    prompt: { type: "string", default: "Tell me a two-sentence story about a lighthouse." },
  },
});
const connect = { ...(values.dir === undefined ? {} : { dir: values.dir }) };

await using chat = await ToolClient.connect("chat", connect);
await using tts = await ToolClient.connect("tts", { ...connect, data: true });

const t0 = performance.now();
let firstToken: number | undefined;
let firstAudio: number | undefined;
let audioSeconds = 0;
const ended = new Map<number, () => void>();
const endedIds = new Set<number>();
tts.onData((payload) => {
  const frame = decodeFrame(payload);
  if (frame === undefined) return;
  if (frame.pcm.length > 0) {
    firstAudio ??= performance.now();
    audioSeconds += frame.pcm.length / 2 / frame.sampleRate;
  }
  if (frame.end) {
    endedIds.add(frame.speechId);
    ended.get(frame.speechId)?.();
  }
});
const speechDone = (id: number): Promise<void> =>
  endedIds.has(id) ? Promise.resolve() : new Promise((resolve) => ended.set(id, resolve));

// Every `text` call is written in order; their replies name the speeches they queued.
const queued: Promise<EventMessage>[] = [];
let reply = "";
const messages = [{ role: "user", content: values.prompt }];
for await (const msg of chat.stream("chat", { messages })) {
  const text = typeof msg["text"] === "string" ? msg["text"] : "";
  if (text === "") continue;
  firstToken ??= performance.now();
  reply += text;
  queued.push(tts.call("text", { data: text }));
}
const lastToken = performance.now();
queued.push(tts.call("flush"));
const ids = (await Promise.all(queued)).flatMap((r) =>
  Array.isArray(r["speech_ids"]) ? (r["speech_ids"] as number[]) : [],
);
await Promise.all(ids.map(speechDone));

const ms = (t: number | undefined, from: number | undefined): string =>
  t === undefined || from === undefined ? "n/a" : `${(t - from).toFixed(1)} ms`;
console.log(`reply: ${reply.trim()}`);
console.log(`sentences spoken: ${ids.length}, audio: ${audioSeconds.toFixed(2)} s`);
console.log(`first token: ${ms(firstToken, t0)} after the request`);
console.log(`last token: ${ms(lastToken, firstToken)} after the first token`);
console.log(`first token -> first audio frame: ${ms(firstAudio, firstToken)}`);
