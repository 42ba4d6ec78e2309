/**
 * The tts server's options, declared for the core's option parser (`cpipe --serve tts`, a
 * config file, the dashboard's launch form), and the server type the CLI loads.
 */
import type { OptionSpec, ServerType } from "named-pipe-tools";
import type { TtsServerOptions } from "./tts-server.js";
import { startTtsServer } from "./tts-server.js";
import { TtsError } from "./errors.js";

/** The options of `cpipe --serve tts`. */
export const TTS_OPTIONS: readonly OptionSpec[] = [
  {
    flag: "model",
    type: "string",
    placeholder: "NAME|DIR",
    path: true,
    description:
      "a neural voice instead of espeak-ng (needs sherpa-onnx-node): piper-lessac-medium (64 MB), piper-amy-low (35 MB), kokoro-en (305 MB), fetched on first use, or a voice directory",
  },
  {
    flag: "voice",
    type: "string",
    placeholder: "V",
    default: "en-us",
    description: "voice id or name (list_voices lists them); with --model, its speaker",
  },
  {
    flag: "rate",
    type: "number",
    min: 0.5,
    max: 4,
    default: 1,
    description: "speaking rate, a multiple of normal speed",
  },
  {
    flag: "wav",
    type: "string",
    placeholder: "FILE",
    path: true,
    description: "also write all spoken audio to FILE (WAV, 16-bit mono)",
  },
  {
    flag: "no-play",
    type: "boolean",
    description: "no local playback (audio still goes to data-channel clients and --wav)",
  },
  {
    flag: "play",
    type: "string",
    choices: ["auto", "pacat", "aplay", "play"],
    default: "auto",
    description: "the player program (auto: the default device, if there is one)",
  },
  {
    flag: "device",
    type: "string",
    placeholder: "D",
    description: "playback device (pacat --device, aplay -D, SoX AUDIODEV)",
  },
  {
    flag: "pace",
    type: "string",
    choices: ["realtime", "fast"],
    default: "realtime",
    description: "frames paced to playback speed, or as fast as synthesized",
  },
  {
    flag: "lead-ms",
    type: "integer",
    min: 0,
    max: 1_000_000,
    default: 200,
    description: "how far frames may run ahead of real time, ms",
  },
  {
    flag: "frame-samples",
    type: "integer",
    min: 16,
    max: 1_000_000,
    default: 1024,
    description: "samples per audio frame",
  },
  {
    flag: "espeak",
    type: "string",
    placeholder: "PATH",
    path: true,
    default: "espeak-ng",
    description: "the espeak-ng executable",
  },
];

/** The parsed options of `cpipe --serve tts` (camelCase keys of {@link TTS_OPTIONS}). */
export interface TtsCliOptions {
  model: string;
  voice: string;
  rate: number;
  wav: string;
  noPlay: boolean;
  play: "auto" | "pacat" | "aplay" | "play";
  device: string;
  pace: "realtime" | "fast";
  leadMs: number;
  frameSamples: number;
  espeak: string;
}

/** The entry `cpipe --serve tts` loads. */
export const serverType: ServerType<TtsCliOptions> = {
  name: "tts",
  description:
    "text to speech (espeak-ng, or Piper/Kokoro voices): speaks streamed text sentence by sentence, streams PCM",
  options: TTS_OPTIONS,
  async start({ noPlay, play, espeak, rest: _rest, ...options }) {
    if (noPlay === true && play !== undefined) {
      throw new TtsError("EUSAGE", "--no-play and --play exclude each other");
    }
    return startTtsServer({
      ...(options as TtsServerOptions),
      ...(noPlay === true ? { play: false } : play === undefined ? {} : { play }),
      ...(espeak === undefined ? {} : { espeakBinary: espeak }),
    });
  },
};
