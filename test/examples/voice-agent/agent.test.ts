/**
 * The voice agent's conversation logic over real pipes, against small in-process stand-ins for
 * the stt, chat and tts servers that speak their protocols (no sound, no models): the reply goes
 * to the TTS as it streams, the conversation carries on, and a barge-in stops the speech and
 * cancels the chat request on the server. The real servers are exercised by loopback.test.ts.
 */
import assert from "node:assert/strict";
import type { TestContext } from "node:test";
import { test } from "node:test";
import type { RequestContext } from "named-pipe-tools";
import { ToolClient, ToolServer } from "named-pipe-tools";
import { encodeFrame } from "named-pipe-tools-tts";
import { tempDir } from "named-pipe-tools-testkit";
import type { TurnReport } from "../../../examples/voice-agent/agent.js";
import { VoiceAgent } from "../../../examples/voice-agent/agent.js";
import { SpeechTracker } from "../../../examples/voice-agent/speeches.js";

/** A chat stand-in: streams its reply a word at a time, `tokenMs` apart, until cancelled. */
function chatServer(dir: string, reply: string, tokenMs: number) {
  const server = new ToolServer({ name: "chat", dir, log: null, handleSignals: false });
  const requests: { messages: { role: string; content: string }[]; aborted: boolean }[] = [];
  const waiters: (() => void)[] = [];
  /** Resolves once `n` requests have arrived. */
  const requested = (n: number): Promise<void> =>
    new Promise((resolve) => {
      const check = (): void => (requests.length >= n ? resolve() : void waiters.push(check));
      check();
    });
  server.handler("chat", async function* (args: Record<string, unknown>, ctx: RequestContext) {
    const entry = {
      messages: args["messages"] as { role: string; content: string }[],
      aborted: false,
    };
    requests.push(entry);
    for (const wake of waiters.splice(0)) wake();
    ctx.signal.addEventListener("abort", () => (entry.aborted = true));
    for (const word of reply.split(/(?<= )/)) {
      if (ctx.signal.aborted) return;
      await new Promise((resolve) => setTimeout(resolve, tokenMs));
      yield { text: word };
    }
  });
  server.handler("chat_blocking", () => ({ event: "reply", text: "Hi" }));
  return { server, requests, requested };
}

/**
 * A tts stand-in: `text`/`flush` queue each complete sentence as a speech that starts at once,
 * sends one audio frame and ends `speechMs` later; `stop_speaking` ends them all, cancelled.
 */
function ttsServer(dir: string, speechMs: number) {
  const server = new ToolServer({
    name: "tts",
    dir,
    log: null,
    handleSignals: false,
    config: () => ({ lead_ms: 20, player: null }),
  });
  let pending = "";
  let nextId = 1;
  const timers = new Map<number, NodeJS.Timeout>();
  const stops: number[] = [];
  const end = (id: number, cancelled: boolean): void => {
    clearTimeout(timers.get(id));
    timers.delete(id);
    server.broadcast("speech_end", { speech_id: id, cancelled });
  };
  const say = (sentences: string[]): number[] =>
    sentences.map((text) => {
      const id = nextId++;
      server.broadcast("speech_start", { speech_id: id, text });
      server.broadcastData(encodeFrame(id, 0, 22_050, Buffer.alloc(2048)));
      timers.set(
        id,
        setTimeout(() => end(id, false), speechMs),
      );
      return id;
    });
  server.handler("text", (args: Record<string, unknown>) => {
    pending += String(args["data"]);
    const parts = pending.split(/(?<=\.) /);
    pending = parts.pop() ?? "";
    return { event: "queued", speech_ids: say(parts) };
  });
  server.handler("flush", () => {
    const rest = pending.trim();
    pending = "";
    return { event: "queued", speech_ids: rest === "" ? [] : say([rest]) };
  });
  server.handler("stop_speaking", () => {
    stops.push(Date.now());
    const ids = [...timers.keys()];
    for (const id of ids) end(id, true);
    pending = "";
    return { event: "stopped", cancelled: ids.length };
  });
  return { server, stops };
}

/** Three stand-ins listening in a fresh directory, and an agent connected to them. */
async function setUp(t: TestContext, reply: string, tokenMs: number, speechMs: number) {
  const dir = await tempDir(t);
  const stt = new ToolServer({ name: "stt", dir, log: null, handleSignals: false });
  const chat = chatServer(dir, reply, tokenMs);
  const tts = ttsServer(dir, speechMs);
  for (const s of [stt, chat.server, tts.server]) {
    await s.listen();
    t.after(() => s.close());
  }
  const clients = {
    stt: await ToolClient.connect("stt", { dir }),
    chat: await ToolClient.connect("chat", { dir }),
    tts: await ToolClient.connect("tts", { dir, data: true }),
  };
  t.after(() => Promise.all(Object.values(clients).map((c) => c.close())));
  const speeches = new SpeechTracker(clients.tts);
  const reports: TurnReport[] = [];
  const waiters: (() => void)[] = [];
  const agent = new VoiceAgent(
    clients,
    speeches,
    { system: "Be brief.", maxTokens: 50, bargeIn: true, turnTimeoutMs: 10_000, tailMs: 20 },
    {
      log: () => undefined,
      onTurn: (r) => {
        reports.push(r);
        for (const wake of waiters.splice(0)) wake();
      },
    },
  );
  agent.start();
  t.after(() => agent.close());
  /** Resolves once `n` turns have been reported. */
  const turns = (n: number): Promise<TurnReport[]> =>
    new Promise((resolve) => {
      const check = (): void => (reports.length >= n ? resolve(reports) : void waiters.push(check));
      check();
    });
  const say = (text: string): void => {
    stt.broadcast("speech_start", { source: "mic", time: Date.now() / 1000 });
    stt.broadcast("speech_end", {
      source: "mic",
      text,
      reason: "silence",
      decode_ms: 20,
      end_delay_ms: 420,
    });
  };
  return { dir, stt, chat, tts, say, turns };
}

test("a turn: the reply streams into the tts sentence by sentence, and the conversation carries on", async (t) => {
  const { chat, say, turns } = await setUp(t, "Pipes are files. They connect programs.", 2, 5);
  say("what is a pipe");
  const [first] = await turns(1);
  assert.equal(first!.transcript, "what is a pipe");
  assert.equal(first!.reply, "Pipes are files. They connect programs.");
  assert.deepEqual(first!.spoken, ["Pipes are files.", "They connect programs."]);
  assert.equal(first!.interrupted, false);
  const m = first!.marks;
  assert.equal(m.speechEndFrom, "stt");
  assert.equal(m.transcript! - m.speechEnd!, 420);
  for (const key of ["request", "firstToken", "firstSentence", "firstFrame", "audioOut"] as const) {
    assert.equal(typeof m[key], "number", key);
  }
  assert.ok(m.firstToken! <= m.firstSentence! && m.firstSentence! <= m.firstFrame!);
  say("and a socket");
  const [, second] = await turns(2);
  assert.equal(second!.transcript, "and a socket");
  assert.deepEqual(
    chat.requests[1]!.messages.map((x) => [x.role, x.content]),
    [
      ["system", "Be brief."],
      ["user", "what is a pipe"],
      ["assistant", "Pipes are files. They connect programs."],
      ["user", "and a socket"],
    ],
  );
});

test("barge-in: speech over the reply stops the tts and cancels the chat request on the server", async (t) => {
  // A long reply at 50 tokens/s, each sentence spoken for 10 s: still going when interrupted.
  const reply = Array.from({ length: 30 }, (_, i) => `Sentence ${i}.`).join(" ");
  const { dir, stt, chat, tts, say, turns } = await setUp(t, reply, 20, 10_000);
  const watcher = await ToolClient.connect("tts", { dir });
  t.after(() => watcher.close());
  const speaking = new Promise<void>((resolve) => watcher.on("speech_start", () => resolve()));
  say("tell me everything");
  await speaking;
  stt.broadcast("speech_start", { source: "mic", time: Date.now() / 1000 });
  const [first] = await turns(1);
  assert.equal(first!.interrupted, true);
  const b = first!.barge_in!;
  assert.equal(b.chat_running, true);
  assert.equal(b.chat_cancelled, 1, "the chat server cancelled one request");
  assert.ok(b.tts_cancelled! >= 1, "the tts cut the speech in progress");
  assert.equal(typeof b.tts_stopped_ms, "number");
  assert.ok(tts.stops.length >= 1, "stop_speaking reached the tts");
  assert.equal(chat.requests[0]!.aborted, true, "the generation was aborted on the server");
  assert.ok(first!.reply.length < reply.length, "the reply was cut short");
  assert.ok(first!.spoken.length >= 1 && first!.spoken.length < 30);
  // What the user heard is what the conversation remembers.
  say("stop");
  await chat.requested(2);
  const remembered = chat.requests[1]!.messages.find((x) => x.role === "assistant");
  assert.equal(remembered?.content, first!.spoken.join(" "));
  // A second interruption ends the second reply the same way.
  stt.broadcast("speech_start", { source: "mic", time: Date.now() / 1000 });
  const [, second] = await turns(2);
  assert.equal(second!.interrupted, true);
});
