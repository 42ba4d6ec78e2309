/**
 * The stt server's options, declared for the core's option parser (`cpipe --serve stt`, a
 * config file, the dashboard's launch form), and their mapping to {@link SttServerOptions}.
 */
import type { OptionSpec, ServeOptions } from "named-pipe-tools";
import type { CaptureBackend } from "./audio/devices.js";
import { ENGINE_NAMES } from "./engines/index.js";
import { parseKeywords } from "./grammar.js";
import type { InputMode } from "./service.js";
import type { SttServerOptions } from "./stt-server.js";

/** The options of `cpipe --serve stt`. */
export const STT_OPTIONS: readonly OptionSpec[] = [
  {
    flag: "engine",
    type: "string",
    choices: ENGINE_NAMES,
    default: "pocketsphinx",
    description: "the recognition engine (pocketsphinx is offline and needs no download)",
  },
  {
    flag: "model",
    type: "string",
    placeholder: "NAME|PATH",
    path: true,
    description:
      "whisper, sherpa: a model name (fetched on first use) or a model file or directory (required for them)",
  },
  {
    flag: "language",
    type: "string",
    placeholder: "CODE",
    default: "en",
    description: "whisper: the spoken language",
  },
  {
    flag: "grammar",
    type: "string",
    placeholder: "FILE",
    path: true,
    description: "pocketsphinx: a JSGF grammar; only its sentences are recognised",
  },
  {
    flag: "keywords",
    type: "list",
    placeholder: "PHRASES",
    description: "pocketsphinx: comma-separated phrases; exactly one is recognised per utterance",
  },
  {
    flag: "min-confidence",
    type: "number",
    min: 0,
    max: 1,
    description: "reject results scored below this [0.7 with --grammar or --keywords, else 0: off]",
  },
  {
    flag: "hmm",
    type: "string",
    placeholder: "DIR",
    path: true,
    description: "pocketsphinx: another acoustic model",
  },
  {
    flag: "dict",
    type: "string",
    placeholder: "FILE",
    path: true,
    description: "pocketsphinx: another dictionary",
  },
  {
    flag: "lm",
    type: "string",
    placeholder: "FILE",
    path: true,
    description: "pocketsphinx: another language model",
  },
  {
    flag: "input",
    type: "string",
    choices: ["mic", "data", "none"],
    default: "mic",
    description: "mic: the microphone plus the data channel; data: the data channel only; none",
  },
  {
    flag: "capture",
    type: "string",
    choices: ["parec", "arecord", "sox"],
    description: "capture program [parec with a sound server, else arecord, else sox]",
  },
  {
    flag: "device",
    type: "string",
    placeholder: "D",
    description: "input device index or name substring [the default input]",
  },
  {
    flag: "vad-onset",
    type: "integer",
    min: 10,
    max: 5000,
    default: 90,
    description: "speech needed to start an utterance, ms",
  },
  {
    flag: "vad-offset",
    type: "integer",
    min: 30,
    max: 10_000,
    default: 600,
    description:
      "end of turn: the silence that ends an utterance, ms (600 keeps a turn of several slow sentences whole; 300 answers sooner but splits them)",
  },
  {
    flag: "vad-mode",
    type: "integer",
    min: 0,
    max: 3,
    default: 2,
    description: "WebRTC VAD aggressiveness",
  },
  { flag: "paused", type: "boolean", description: "do not start listening until 'start'" },
];

/** The parsed options of `cpipe --serve stt` (camelCase keys of {@link STT_OPTIONS}). */
export interface SttCliOptions {
  engine: string;
  model: string;
  language: string;
  grammar: string;
  keywords: string[];
  hmm: string;
  dict: string;
  lm: string;
  minConfidence: number;
  input: InputMode;
  capture: CaptureBackend;
  device: string;
  vadOnset: number;
  vadOffset: number;
  vadMode: 0 | 1 | 2 | 3;
  paused: boolean;
}

/** Maps parsed options to the server's. */
export function sttServerOptions(options: ServeOptions<SttCliOptions>): SttServerOptions {
  const { keywords, device, vadOnset, vadOffset, vadMode, paused, rest: _rest, ...plain } = options;
  return {
    ...plain,
    ...(keywords === undefined ? {} : { keywords: parseKeywords(keywords.join(",")) }),
    ...(device === undefined ? {} : { device: /^\d+$/.test(device) ? Number(device) : device }),
    vad: {
      ...(vadOnset === undefined ? {} : { onsetMs: vadOnset }),
      ...(vadOffset === undefined ? {} : { offsetMs: vadOffset }),
      ...(vadMode === undefined ? {} : { mode: vadMode }),
    },
    ...(paused === true ? { autostart: false } : {}),
  };
}
