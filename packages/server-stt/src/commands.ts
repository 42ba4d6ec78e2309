/**
 * The STT server's commands, declared with zod and delegated to the service.
 */
import { z } from "zod";
import type { ToolServer } from "named-pipe-tools";
import type { SttService } from "./service.js";

const transcriptFields = z.object({
  text: z.string(),
  words: z
    .array(
      z.object({
        word: z.string(),
        start: z.number(),
        end: z.number(),
        confidence: z.number().optional(),
      }),
    )
    .optional(),
  confidence: z.number().optional().describe("The engine's confidence, 0-1, where it gives one"),
  rejected: z
    .string()
    .optional()
    .describe("What was heard when it fell below the minimum confidence (text is then empty)"),
  source: z.string(),
});

const EVENTS = {
  speech_start: {
    description:
      "An utterance began (source: 'mic' or 'data:<client>'; time: its first sample, epoch s); sent as soon as the VAD hears speech, for barge-in",
    fields: z.object({ source: z.string(), time: z.number() }),
  },
  token: {
    description: "Words that have firmed up",
    fields: z.object({ source: z.string(), text: z.string() }),
  },
  speech: {
    description: "The transcript so far, with word times (epoch s) where the engine gives them",
    fields: transcriptFields,
  },
  speech_end: {
    description: "The utterance ended; carries the final transcript and its delays (ms)",
    fields: transcriptFields.extend({
      reason: z.string(),
      decode_ms: z.number().optional(),
      end_delay_ms: z.number().optional(),
    }),
  },
  stt_error: {
    description: "Capture or recognition failed",
    fields: z.object({ source: z.string(), message: z.string(), code: z.string() }),
  },
};

/** Registers start, pause, list_devices, get_device, set_device, transcribe, audio_format, end_audio. */
export function registerCommands(server: ToolServer, stt: SttService): void {
  const deviceEvent = (): Record<string, unknown> => ({
    event: "device",
    device: stt.device?.index ?? null,
    name: stt.device?.name ?? null,
  });
  server.command(
    "start",
    {
      description: "Start listening (opens the microphone); no-op when listening.",
      args: z.object({}),
      events: EVENTS,
    },
    () => stt.start(),
  );
  server.command(
    "pause",
    { description: "Stop listening (closes the microphone).", args: z.object({}) },
    () => stt.pause(),
  );
  server.command(
    "list_devices",
    {
      description: "List input devices: {devices:[{index,name,channels}]}.",
      args: z.object({}),
      reply: "devices",
    },
    async () => ({
      event: "devices",
      devices: (await stt.listDevices()).map((d) => ({
        index: d.index,
        name: d.name,
        channels: d.channels,
      })),
    }),
  );
  server.command(
    "get_device",
    {
      description: "The chosen input device index (null: the default).",
      args: z.object({}),
      reply: "device",
    },
    deviceEvent,
  );
  server.command(
    "set_device",
    {
      description:
        "Choose the input device by index or name substring (null: the default); reopens the microphone.",
      args: z.object({
        device: z
          .union([z.number().int().min(0), z.string().min(1).max(256), z.null()])
          .describe("Index, name substring, or null"),
      }),
      reply: "device",
    },
    async (args) => {
      await stt.setDevice(args.device);
      return deviceEvent();
    },
  );
  server.command(
    "transcribe",
    {
      description:
        "Transcribe one WAV file: {event:'transcript',text,words?,confidence?,rejected?,duration}.",
      args: z.object({
        path: z
          .string()
          .min(1)
          .max(4096)
          .describe("WAV file; a relative path is relative to your working directory"),
      }),
      reply: "transcript",
    },
    async (args, ctx) => ({
      event: "transcript",
      ...(await stt.transcribeFile(args.path, ctx.sender)),
    }),
  );
  server.command(
    "audio_format",
    {
      description:
        "Declare the format of the audio you stream on the data channel (default 16 kHz mono s16le).",
      args: z.object({
        rate: z.number().int().min(8000).max(192_000).default(16_000).describe("Sample rate, Hz"),
        channels: z.number().int().min(1).max(8).default(1).describe("Interleaved channels"),
        encoding: z.enum(["s16le", "f32le"]).default("s16le").describe("Sample encoding"),
      }),
      reply: "audio_format",
    },
    (args, ctx) => ({ event: "audio_format", ...stt.setFormat(ctx.sender, args) }),
  );
  server.command(
    "end_audio",
    {
      description: "Your data-channel audio has ended: finish the utterance in progress now.",
      args: z.object({}),
    },
    (_args, ctx) => stt.endAudio(ctx.sender),
  );
  server.command(
    "get_stats",
    {
      description:
        "Counters: data_bytes (audio taken), ignored_bytes (arrived while paused), utterances, busy sources.",
      args: z.object({}),
      reply: "stats",
    },
    () => ({ event: "stats", ...stt.stats() }),
  );
  server.onData((payload, from) => stt.onData(payload, from));
}
