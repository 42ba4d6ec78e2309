/**
 * Command-line options of the tts server (`cpipe --serve tts [options]`, or main.js) and the
 * server-type entry the CLI loads.
 */
import { parseArgs } from "node:util";
import type { ServerType } from "named-pipe-tools";
import { TtsError, isUnavailable } from "./errors.js";
import type { TtsServerOptions } from "./tts-server.js";
import { createTtsServer } from "./tts-server.js";

/** The options, for `--help`. */
export const USAGE = `Options of --serve tts:
  --model M          a neural voice instead of espeak-ng (needs 'npm install sherpa-onnx-node'):
                     piper-lessac-medium (64 MB), piper-amy-low (35 MB), kokoro-en (305 MB),
                     fetched on first use, or a voice directory
  --voice V          voice id or name (list_voices lists them) [en-us; with --model: its first speaker]
  --rate R           speaking rate, a multiple of normal speed, 0.5-4 [1]
  --wav FILE         also write all spoken audio to FILE (WAV, 16-bit mono)
  --no-play          no local playback (audio still goes to data-channel clients and --wav)
  --play P           auto, pacat, aplay or play [auto: the default device, if there is one]
  --device D         playback device (pacat --device, aplay -D, SoX AUDIODEV)
  --pace P           realtime (frames paced to playback speed) or fast [realtime]
  --lead-ms N        how far frames may run ahead of real time, ms [200]
  --frame-samples N  samples per audio frame [1024]
  --espeak PATH      the espeak-ng executable [espeak-ng]
  --name NAME        tool name [tts]
  --dir DIR          pipe directory [$PIPE_TOOLS_DIR or /tmp]`;

function number(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n)) {
    throw new TtsError("EBADOPTION", `${flag} needs a number, got '${value}'`);
  }
  return n;
}

/**
 * Parses the tts server's command-line options.
 * @throws TtsError `EBADOPTION` naming the bad option
 */
export function parseTtsArgs(args: string[]): TtsServerOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        voice: { type: "string" },
        model: { type: "string" },
        rate: { type: "string" },
        wav: { type: "string" },
        "no-play": { type: "boolean" },
        play: { type: "string" },
        device: { type: "string" },
        pace: { type: "string" },
        "lead-ms": { type: "string" },
        "frame-samples": { type: "string" },
        espeak: { type: "string" },
        name: { type: "string" },
        dir: { type: "string" },
      },
    }));
  } catch (err) {
    throw new TtsError("EBADOPTION", (err as Error).message, { cause: err });
  }
  const opts: TtsServerOptions = {};
  if (values.voice !== undefined) opts.voice = values.voice;
  if (values.model !== undefined) opts.model = values.model;
  const rate = number("--rate", values.rate);
  if (rate !== undefined) opts.rate = rate;
  if (values.wav !== undefined) opts.wav = values.wav;
  if (values["no-play"] === true && values.play !== undefined) {
    throw new TtsError("EBADOPTION", "--no-play and --play exclude each other");
  }
  if (values["no-play"] === true) opts.play = false;
  if (values.play !== undefined) opts.play = values.play as TtsServerOptions["play"];
  if (values.device !== undefined) opts.device = values.device;
  if (values.pace !== undefined) opts.pace = values.pace as TtsServerOptions["pace"];
  const lead = number("--lead-ms", values["lead-ms"]);
  if (lead !== undefined) opts.leadMs = lead;
  const frame = number("--frame-samples", values["frame-samples"]);
  if (frame !== undefined) opts.frameSamples = frame;
  if (values.espeak !== undefined) opts.espeakBinary = values.espeak;
  if (values.name !== undefined) opts.name = values.name;
  if (values.dir !== undefined) opts.dir = values.dir;
  return opts;
}

/** The entry `cpipe --serve tts` loads. */
export const serverType: ServerType = {
  name: "tts",
  description:
    "text to speech (espeak-ng, or Piper/Kokoro voices): speaks streamed text sentence by sentence, streams PCM",
  usage: USAGE,
  async start(args, common) {
    const parsed = parseTtsArgs(args);
    const server = createTtsServer({
      ...(common.log === undefined ? {} : { log: common.log }),
      ...(common.dir === undefined ? {} : { dir: common.dir }),
      ...(common.name === undefined ? {} : { name: common.name }),
      ...parsed,
    });
    try {
      await server.listen();
      await server.ready;
    } catch (err) {
      // A missing engine or device: keep serving in state `error` (reported once on stderr;
      // commands that need it reply with the fix). Anything else stops the server.
      if (isUnavailable(err)) return server;
      await server.close();
      throw err;
    }
    return server;
  },
};
