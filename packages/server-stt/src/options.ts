/**
 * Command-line options of the stt server (`cpipe --serve stt [options]`, `stt-server [options]`).
 */
import { parseArgs } from "node:util";
import type { CaptureBackend } from "./audio/devices.js";
import { SttOptionError } from "./errors.js";
import { parseKeywords } from "./grammar.js";
import type { InputMode } from "./service.js";
import type { SttServerOptions } from "./stt-server.js";

/** The options, for --help. */
export const USAGE = `Options of the stt server:
  --engine NAME       pocketsphinx (default, offline) or whisper
  --model FILE        whisper: a ggml model file (required for whisper)
  --language CODE     whisper: spoken language (default en)
  --grammar FILE      pocketsphinx: a JSGF grammar; only its sentences are recognised
  --keywords LIST     pocketsphinx: comma-separated phrases; exactly one is recognised per utterance
  --min-confidence C  reject results scored below C, 0-1 (default 0.7 with --grammar/--keywords, else 0: off)
  --hmm DIR / --dict FILE / --lm FILE   pocketsphinx: other models
  --input MODE        mic (default: microphone plus data channel), data (data channel only), none
  --capture PROGRAM   parec, arecord or sox (default: parec with a sound server, else arecord, else sox)
  --device D          input device index or name substring (default: the default input)
  --vad-onset MS      speech needed to start an utterance (default 90)
  --vad-offset MS     end of turn: the silence that ends an utterance (default 600: keeps a turn of
                      several slow sentences whole; 300 answers sooner but splits them)
  --vad-mode N        WebRTC VAD aggressiveness 0-3 (default 2)
  --paused            do not start listening until 'start'
  --name NAME / --dir DIR   tool name (default stt) / pipe directory`;

function int(
  name: string,
  value: string | undefined,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new SttOptionError(`--${name} must be an integer from ${min} to ${max}, got '${value}'`);
  }
  return n;
}

function oneOf<T extends string>(
  name: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new SttOptionError(`--${name} must be one of ${allowed.join(", ")}, got '${value}'`);
  }
  return value as T;
}

/** Parses command-line options into {@link SttServerOptions}. */
export function parseSttArgs(args: string[]): SttServerOptions {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      engine: { type: "string" },
      model: { type: "string" },
      language: { type: "string" },
      grammar: { type: "string" },
      keywords: { type: "string" },
      "min-confidence": { type: "string" },
      hmm: { type: "string" },
      dict: { type: "string" },
      lm: { type: "string" },
      input: { type: "string" },
      capture: { type: "string" },
      device: { type: "string" },
      "vad-onset": { type: "string" },
      "vad-offset": { type: "string" },
      "vad-mode": { type: "string" },
      paused: { type: "boolean" },
      name: { type: "string" },
      dir: { type: "string" },
    },
  });
  const opts: SttServerOptions = {};
  const copy = [
    "engine",
    "model",
    "language",
    "grammar",
    "hmm",
    "dict",
    "lm",
    "name",
    "dir",
  ] as const;
  for (const key of copy) if (values[key] !== undefined) opts[key] = values[key];
  if (values.keywords !== undefined) opts.keywords = parseKeywords(values.keywords);
  const min = values["min-confidence"];
  if (min !== undefined) {
    const n = Number(min);
    if (min.trim() === "" || !(n >= 0 && n <= 1)) {
      throw new SttOptionError(`--min-confidence must be a number from 0 to 1, got '${min}'`);
    }
    opts.minConfidence = n;
  }
  const input = oneOf<InputMode>("input", values.input, ["mic", "data", "none"]);
  if (input !== undefined) opts.input = input;
  const capture = oneOf<CaptureBackend>("capture", values.capture, ["parec", "arecord", "sox"]);
  if (capture !== undefined) opts.capture = capture;
  if (values.device !== undefined)
    opts.device = /^\d+$/.test(values.device) ? Number(values.device) : values.device;
  const onsetMs = int("vad-onset", values["vad-onset"], 10, 5000);
  const offsetMs = int("vad-offset", values["vad-offset"], 30, 10_000);
  const mode = int("vad-mode", values["vad-mode"], 0, 3) as 0 | 1 | 2 | 3 | undefined;
  opts.vad = {
    ...(onsetMs === undefined ? {} : { onsetMs }),
    ...(offsetMs === undefined ? {} : { offsetMs }),
    ...(mode === undefined ? {} : { mode }),
  };
  if (values.paused === true) opts.autostart = false;
  return opts;
}
