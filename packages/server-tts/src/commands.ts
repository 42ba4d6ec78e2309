/**
 * The tts server's commands. Each waits for the engine before it speaks; a TtsError becomes
 * an error reply with its lowercase wire code.
 */
import { z } from "zod";
import type { RequestContext } from "named-pipe-tools";
import type { Speech, SpeechResult } from "./speaker.js";
import type { TtsServer } from "./tts-server.js";

const rate = z.number().min(0.5).max(4);

const EVENTS = {
  speech_start: {
    description: "Broadcast when a sentence starts (before its first audio frame).",
    fields: z.object({
      speech_id: z.number().int().describe("Id carried by this speech's audio frames"),
      text: z.string(),
      voice: z.string(),
      rate: z.number(),
      sample_rate: z.number().int(),
      format: z.literal("s16le"),
      channels: z.literal(1),
    }),
  },
  speech_end: {
    description: "Broadcast when a sentence has been sent in full, cut short, or failed.",
    fields: z.object({
      speech_id: z.number().int(),
      frames: z.number().int(),
      samples: z.number().int(),
      duration_ms: z.number().int(),
      cancelled: z.boolean(),
      error: z.string().optional(),
    }),
  },
};

/** The reply to a request that queued speech: only to requests with an id (the reference's
 * `text` and `flush` reply nothing). */
function queued(speeches: Speech[], ctx: RequestContext): Record<string, unknown> | undefined {
  return ctx.id === undefined
    ? undefined
    : { event: "queued", speech_ids: speeches.map((s) => s.id) };
}

async function ready(server: TtsServer): Promise<void> {
  await server.ready;
}

/** Registers every tts command on `server`. */
export function registerCommands(server: TtsServer): void {
  server.command(
    "text",
    {
      description:
        "Append text; each sentence is spoken as soon as it is complete (reference-compatible).",
      args: z.object({ data: z.string().describe("Text, any fragment (for example LLM tokens)") }),
      reply: "queued",
      events: EVENTS,
    },
    async ({ data }, ctx) => {
      // Split at arrival (keeps the order of concurrent requests), speak once loaded, unless a
      // stop came meanwhile: it silences what was given before it.
      const stops = server.stops;
      const sentences = server.splitter.push(data);
      await ready(server);
      return queued(server.stops === stops ? server.say(sentences) : [], ctx);
    },
  );
  server.command(
    "flush",
    {
      description: "Speak what remains of the text given to 'text'.",
      args: z.object({}),
      reply: "queued",
    },
    async (_args, ctx) => {
      const stops = server.stops;
      const rest = server.splitter.flush();
      await ready(server);
      return queued(rest === undefined || server.stops !== stops ? [] : server.say([rest]), ctx);
    },
  );
  server.command(
    "is_speaking",
    {
      description: "Whether speech is playing or queued.",
      args: z.object({}),
      reply: "is_speaking",
    },
    () => ({ event: "is_speaking", speaking: server.speaker.speaking }),
  );
  server.command(
    "speak",
    {
      description:
        "Speak a text now (after what is already queued). With wait, replies when it has been spoken; cancelling the request stops it.",
      args: z.object({
        text: z.string().min(1).describe("What to say"),
        voice: z.string().optional().describe("Voice for this text [the current voice]"),
        rate: rate.optional().describe("Speaking rate for this text, 0.5-4 [the current rate]"),
        wait: z.boolean().default(true).describe("Reply when spoken (true) or when queued"),
      }),
      reply: "spoken",
    },
    async (args, ctx) => {
      await ready(server);
      const voice = args.voice === undefined ? undefined : await server.resolveVoice(args.voice);
      const speeches = server.sayText(args.text, {
        ...(voice === undefined ? {} : { voice }),
        ...(args.rate === undefined ? {} : { rate: args.rate }),
      });
      const ids = speeches.map((s) => s.id);
      if (!args.wait) return { event: "queued", speech_ids: ids };
      const stop = (): void => void server.speaker.cancel(new Set(ids));
      ctx.signal.addEventListener("abort", stop, { once: true });
      let results: SpeechResult[];
      try {
        results = await Promise.all(speeches.map((s) => s.done));
      } finally {
        ctx.signal.removeEventListener("abort", stop);
      }
      const samples = results.reduce((n, r) => n + r.samples, 0);
      const failed = results.find((r) => r.error !== undefined);
      if (failed?.error !== undefined) {
        throw Object.assign(new Error(failed.error), { code: "synthesis_failed" });
      }
      return {
        event: "spoken",
        speech_ids: ids,
        cancelled: results.some((r) => r.cancelled),
        duration_ms: Math.round((samples / server.engine.sampleRate) * 1000),
      };
    },
  );
  server.command(
    "stop_speaking",
    {
      description:
        "Stop speaking now and drop the queue and unfinished text (cancel for everyone's speech).",
      args: z.object({}),
      reply: "stopped",
    },
    () => ({ event: "stopped", cancelled: server.stopSpeaking() }),
  );
  server.command(
    "list_voices",
    { description: "The engine's voices.", args: z.object({}), reply: "voices" },
    async () => {
      await ready(server);
      const voices = await server.voices();
      return { event: "voices", voices, voice: server.voice };
    },
  );
  server.command(
    "set_voice",
    {
      description: "Change the voice for text queued from now on.",
      args: z.object({ voice: z.string().min(1).describe("Voice id or name (see list_voices)") }),
      reply: "voice",
    },
    async ({ voice }) => {
      await ready(server);
      server.voice = await server.resolveVoice(voice);
      return { event: "voice", voice: server.voice };
    },
  );
  server.command(
    "set_rate",
    {
      description: "Change the speaking rate for text queued from now on.",
      args: z.object({ rate: rate.describe("A multiple of normal speed, 0.5-4") }),
      reply: "rate",
    },
    ({ rate: r }) => {
      server.rate = r;
      return { event: "rate", rate: r };
    },
  );
}
