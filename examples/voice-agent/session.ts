/**
 * Gets the three servers ready for a conversation: connected (started when missing), the STT
 * listening, the TTS's pacing known, the chat model warmed up; and lets them go afterwards.
 */
import type { ToolClient } from "named-pipe-tools";
import type { AgentClients, AgentSettings } from "./agent.js";
import { now } from "./latency.js";
import type { AgentOptions } from "./options.js";
import type { ServerKind, ServerPlace, ServerSpec, StartedServer } from "./servers.js";
import { connectOrStart, stopStarted } from "./servers.js";
import { SpeechTracker } from "./speeches.js";

/** Connected servers and what the agent learnt about them. */
export interface Session {
  clients: AgentClients;
  speeches: SpeechTracker;
  /** How long audio may play after the TTS's last speech_end, ms. */
  tailMs: number;
  /** Servers this session started (stopped by `close`). */
  started: StartedServer[];
  /** Disconnects, and stops the servers the session started. */
  close(): Promise<void>;
}

/** How the agent converses, from its options and what the session learnt. */
export function agentSettings(opts: AgentOptions, session: Session): AgentSettings {
  return {
    system: opts.system,
    maxTokens: opts.maxTokens,
    bargeIn: opts.bargeIn,
    turnTimeoutMs: opts.turnTimeoutMs,
    tailMs: session.tailMs,
  };
}

/** Options added to a server's start-up by the mode (the loopback's devices). */
export type ExtraArgs = Partial<Record<ServerKind, string[]>>;

/** The three servers' specs: names, and options for starting them. */
export function serverSpecs(opts: AgentOptions, extra: ExtraArgs = {}): ServerSpec[] {
  const stt = [
    "--vad-offset",
    String(opts.endSilenceMs),
    ...(opts.keywords === undefined ? [] : ["--keywords", opts.keywords]),
    ...(opts.grammar === undefined ? [] : ["--grammar", opts.grammar]),
  ];
  const chat = [
    ...(opts.model === undefined ? [] : ["--model", opts.model]),
    ...(opts.baseUrl === undefined ? [] : ["--base-url", opts.baseUrl]),
  ];
  const tts = opts.voice === undefined ? [] : ["--voice", opts.voice];
  const spec = (kind: ServerKind, args: string[], data: boolean): ServerSpec => ({
    kind,
    name: opts.names[kind],
    args: [...args, ...(extra[kind] ?? []), ...opts.extra[kind]],
    data,
  });
  return [spec("stt", stt, false), spec("chat", chat, false), spec("tts", tts, true)];
}

/** Why a chat server cannot be started from these options (undefined: it can). */
function chatStartProblem(opts: AgentOptions): string | undefined {
  if (opts.model !== undefined || opts.baseUrl !== undefined || opts.extra.chat.length > 0) {
    return undefined;
  }
  return (
    `no chat server '${opts.names.chat}' is running: start one (cpipe --serve chat --model ` +
    `FILE.gguf), or give --model FILE.gguf, or --base-url URL --model NAME`
  );
}

/** Connects to (or starts) the three servers and gets them ready. */
export async function openSession(
  opts: AgentOptions,
  place: ServerPlace,
  extra: ExtraArgs = {},
): Promise<Session> {
  const started: StartedServer[] = [];
  const specs = serverSpecs(opts, extra);
  const results = await Promise.allSettled(
    specs.map((spec) => {
      const problem = spec.kind === "chat" ? chatStartProblem(opts) : undefined;
      return connectOrStart(
        spec,
        { ...place, start: place.start && problem === undefined },
        started,
      ).catch((err: unknown) => {
        throw problem !== undefined && (err as { code?: string }).code === "ENOSERVER"
          ? new Error(problem)
          : err;
      });
    }),
  );
  const clients = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  const release = async (): Promise<void> => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await Promise.all(started.map((s) => stopStarted(s, place.dir)));
  };
  const failed = results.find((r) => r.status === "rejected");
  if (failed !== undefined) {
    await release();
    throw failed.reason;
  }
  const [stt, chat, tts] = clients as [ToolClient, ToolClient, ToolClient];
  const speeches = new SpeechTracker(tts);
  try {
    await listening(stt, opts.names.stt);
    const config = await tts.call("get_config");
    if (config["player"] === null) {
      place.log(`the tts server '${opts.names.tts}' has no audio player: replies are not heard`);
    }
    const lead = typeof config["lead_ms"] === "number" ? config["lead_ms"] : 200;
    const t0 = now();
    await chat.call("chat_blocking", {
      messages: [{ role: "user", content: "Hello" }],
      max_tokens: 1,
    });
    place.log(`chat warmed up in ${Math.round(now() - t0)} ms`);
    return {
      clients: { stt, chat, tts },
      speeches,
      tailMs: lead + 150,
      started,
      close: async () => {
        speeches.close();
        await release();
      },
    };
  } catch (err) {
    speeches.close();
    await release();
    throw err;
  }
}

/** Resolves once the STT server listens (starting it when paused, waiting while it loads). */
async function listening(stt: ToolClient, name: string, timeoutMs = 60_000): Promise<void> {
  const state = (): Promise<string> =>
    stt.call("get_state").then((r) => (typeof r["state"] === "string" ? r["state"] : "unknown"));
  const changed = new Promise<void>((resolve) => {
    const off = stt.on("state_changed", () => {
      off();
      resolve();
    });
  });
  let s = await state();
  if (s === "loading") {
    await Promise.race([changed, new Promise((r) => setTimeout(r, timeoutMs).unref())]);
    s = await state();
  }
  if (s === "paused") {
    await stt.call("start");
    s = await state();
  }
  if (s !== "listening" && s !== "transcribing") {
    throw new Error(
      `the stt server '${name}' is in state '${s}', not listening (a microphone problem? see its log)`,
    );
  }
}
