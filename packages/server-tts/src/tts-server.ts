/**
 * The `tts` tool server: reference-compatible `text` / `flush` / `is_speaking`, plus `speak`,
 * `stop_speaking`, voices and rate; audio frames on the data channel, local playback, WAV.
 */
import { ToolServer } from "named-pipe-tools";
import type { ToolServerOptions } from "named-pipe-tools";
import type { TtsEngine, Voice } from "./engine.js";
import { TtsError, isUnavailable } from "./errors.js";
import { EspeakEngine } from "./espeak-engine.js";
import { SherpaTtsEngine } from "./sherpa-engine.js";
import type { PlayerKind } from "./player.js";
import { Player, detectPlayer } from "./player.js";
import { SentenceSplitter, speakableText, splitSentences } from "./sentences.js";
import { dataChannelSink, playerSink, wavSink } from "./sinks.js";
import type { AudioSink, Speech } from "./speaker.js";
import { Speaker } from "./speaker.js";
import { WavFileWriter } from "./wav.js";
import { registerCommands } from "./commands.js";

/** Options of {@link createTtsServer}. Every field is optional. */
export interface TtsServerOptions extends Partial<ToolServerOptions> {
  /** The synthesizer [an {@link EspeakEngine}]. */
  engine?: TtsEngine;
  /** The espeak-ng executable, when the default engine is used [`espeak-ng`]. */
  espeakBinary?: string;
  /**
   * A neural voice instead of espeak-ng, run by sherpa-onnx (an optional peer): a name
   * (`piper-lessac-medium`, `piper-amy-low`, `kokoro-en`; fetched on first use) or a voice
   * directory. `voice` then picks the speaker of a multi-speaker model.
   */
  model?: string;
  /** Voice at start [the engine's default, `en-us` for espeak-ng]. */
  voice?: string;
  /** Speaking rate, a multiple of normal speed, 0.5-4 [1]. */
  rate?: number;
  /**
   * Local playback: `"auto"` plays on the default audio device when there is one, `false` never
   * plays, a player name forces that player ["auto"].
   */
  play?: boolean | "auto" | PlayerKind;
  /** Output device for the player (pacat `--device`, aplay `-D`, SoX `AUDIODEV`). */
  device?: string;
  /** Also write all spoken audio to this WAV file (16-bit mono at the engine's rate). */
  wav?: string;
  /** `"realtime"` paces frames to playback speed; `"fast"` sends them as synthesized ["realtime"]. */
  pace?: "realtime" | "fast";
  /** How far frames may run ahead of real time, in ms [200]. */
  leadMs?: number;
  /** Samples per audio frame [1024]. */
  frameSamples?: number;
  /** Longest sentence before it is cut at a clause or word boundary, in characters [250]. */
  maxSentenceChars?: number;
}

const HELP = `# tts

Text to speech (espeak-ng by default; neural Piper or Kokoro voices with --model). Audio: 16-bit little-endian mono PCM frames on the binary
data channel (connect with a data channel), a 16-byte header each (see PROTOCOL.md, "TTS audio
frames"); also played on the local audio device when there is one, and written to --wav FILE.

Commands:
- text {data}: append text; each sentence is spoken as soon as it is complete.
- flush: speak what remains of the text.
- speak {text, voice?, rate?, wait?}: speak a text now (queued after what is playing). With
  wait (default) replies {"event":"spoken"} when done; cancelling the request stops it.
- stop_speaking (or cancel with no target): stop now and drop the queue and the unfinished
  text, whoever queued it (a voice agent's "the user interrupted").
- is_speaking: {"event":"is_speaking","speaking":bool}.
- list_voices, set_voice {voice}, set_rate {rate}.

Broadcasts: speech_start {speech_id, text, ...} and speech_end {speech_id, cancelled, ...};
state_changed: loading, idle, synthesizing, error.

Examples:
  cpipe tts speak "Hello world."
  cpipe tts text "First sentence. Second"; cpipe tts flush
`;

/**
 * A ToolServer speaking text. Create it with {@link createTtsServer}; `listen()` as any server.
 * The engine loads in the background (state `loading`, then `idle`, or `error`).
 */
export class TtsServer extends ToolServer {
  /** The engine. */
  readonly engine: TtsEngine;
  /** The speech queue. */
  readonly speaker: Speaker;
  /** The splitter behind `text` / `flush`. */
  readonly splitter: SentenceSplitter;
  /** Resolves when the engine is loaded (and the WAV file open); rejects if it cannot be. */
  readonly ready: Promise<void>;
  /** The local player, when playback is on. */
  player: Player | undefined;
  /** Current voice. */
  voice: string;
  /** Current speaking rate. */
  rate: number;
  readonly #ttsOpts: TtsServerOptions;
  readonly #sinks: AudioSink[];
  #wav: WavFileWriter | undefined;
  #voices: Voice[] | undefined;
  #stops = 0;
  #closingTts: Promise<void> | undefined;
  #loadError: Error | undefined;

  constructor(options: TtsServerOptions = {}) {
    checkOptions(options);
    const self: { server?: TtsServer } = {};
    super({
      description: "Text to speech: speaks streamed text sentence by sentence, streams PCM",
      help: HELP,
      initialState: "loading",
      config: () => self.server?.config() ?? {},
      ...serverOptionsOf(options),
      name: options.name ?? "tts",
    });
    self.server = this;
    const { engine, voice, rate, maxSentenceChars } = options;
    this.#ttsOpts = options;
    this.engine =
      engine ??
      (options.model !== undefined
        ? new SherpaTtsEngine({ model: options.model, ...(voice === undefined ? {} : { voice }) })
        : new EspeakEngine({ binary: options.espeakBinary, voice }));
    this.voice = voice ?? this.engine.defaultVoice;
    this.rate = rate ?? 1;
    this.splitter = new SentenceSplitter({ maxChars: maxSentenceChars ?? 250 });
    this.#sinks = [dataChannelSink((payload) => this.broadcastData(payload))];
    // A bare `cancel` (no target) is a voice agent's "the user interrupted": stop everyone's
    // speech. A `cancel` of one request id only aborts that request (the core does that).
    this.onCancel((_from, target) => {
      if (target === undefined) this.stopSpeaking();
    });
    this.speaker = new Speaker({
      engine: this.engine,
      sinks: this.#sinks,
      frameSamples: options.frameSamples ?? 1024,
      realtime: (options.pace ?? "realtime") === "realtime",
      leadMs: options.leadMs ?? 200,
      onStart: (speech) => this.#onStart(speech),
      onEnd: (speech, result) => {
        const fields: Record<string, unknown> = {
          speech_id: speech.id,
          frames: result.frames,
          samples: result.samples,
          duration_ms: Math.round((result.samples / this.engine.sampleRate) * 1000),
          cancelled: result.cancelled,
        };
        if (result.error !== undefined) fields["error"] = result.error;
        this.broadcast("speech_end", fields);
      },
      onBusy: (busy) => {
        if (this.state !== "error" && this.state !== "stopping") {
          this.setState(busy ? "synthesizing" : "idle");
        }
      },
    });
    this.ready = this.#load();
    this.ready.catch((err: unknown) => {
      this.#loadError = err as Error;
      this.setState("error");
      // Other failures (a bad voice, an unwritable WAV file) stop the server; whoever started
      // it reports them, so they are not printed twice.
      if (isUnavailable(err)) this.#logLine(`cannot speak: ${(err as Error).message}`);
    });
    registerCommands(this);
  }

  #logLine(line: string): void {
    const log = this.#ttsOpts.log;
    if (log === null) return;
    (log ?? ((l: string) => process.stderr.write(`[${this.name}] ${l}\n`)))(line);
  }

  async #load(): Promise<void> {
    await this.engine.load();
    await this.resolveVoice(this.voice).then((v) => (this.voice = v));
    const { wav, play, device } = this.#ttsOpts;
    if (wav !== undefined) {
      this.#wav = await WavFileWriter.open(wav, this.engine.sampleRate);
      this.#sinks.push(wavSink(this.#wav, (message) => this.#logLine(message)));
    }
    let kind: PlayerKind | undefined;
    if (play === undefined || play === true || play === "auto") {
      kind = detectPlayer();
      if (kind === undefined && play === true) {
        throw new TtsError(
          "ENODEVICE",
          "no audio device found for playback: start a sound server, pass --device, or use --no-play (audio still goes to data-channel clients and --wav)",
        );
      }
      if (kind === undefined) this.#logLine("no audio device found: local playback is off");
    } else if (play !== false) {
      kind = play;
    }
    if (kind !== undefined) {
      this.player = new Player({
        kind,
        ...(device === undefined ? {} : { device }),
        onFailure: (message) => this.#logLine(`playback off: ${message}`),
      });
      this.#sinks.push(playerSink(this.player));
    }
    if (this.state === "loading") this.setState("idle");
  }

  #onStart(speech: Speech): void {
    this.broadcast("speech_start", {
      speech_id: speech.id,
      text: speech.text,
      voice: speech.voice,
      rate: speech.rate,
      sample_rate: this.engine.sampleRate,
      format: "s16le",
      channels: 1,
    });
  }

  /** What `get_config` reports. */
  config(): Record<string, unknown> {
    return {
      engine: this.engine.name,
      model: this.#ttsOpts.model ?? null,
      voice: this.voice,
      rate: this.rate,
      sample_rate: this.engine.sampleRate,
      format: "s16le",
      channels: 1,
      frame_samples: this.speaker.frameSamples,
      frame_header_bytes: 16,
      pace: this.#ttsOpts.pace ?? "realtime",
      lead_ms: this.#ttsOpts.leadMs ?? 200,
      player: this.player?.working === true ? this.player.kind : null,
      wav: this.#ttsOpts.wav ?? null,
      error: this.#loadError?.message ?? null,
    };
  }

  /** The engine's voices (cached). */
  async voices(): Promise<Voice[]> {
    this.#voices ??= await this.engine.listVoices();
    return this.#voices;
  }

  /**
   * Resolves a voice id or name to the engine's id. espeak-ng variants (`en-us+f3`) are
   * accepted when their base voice exists.
   * @throws TtsError `EBADVOICE`
   */
  async resolveVoice(wanted: string): Promise<string> {
    const voices = await this.voices();
    const [base = "", variant] = wanted.split("+", 2);
    const lower = base.toLowerCase();
    const found = voices.find(
      (v) => v.id.toLowerCase() === lower || v.name.toLowerCase() === lower,
    );
    if (found === undefined) {
      throw new TtsError("EBADVOICE", `unknown voice '${wanted}' (list_voices lists them)`);
    }
    return variant === undefined ? found.id : `${found.id}+${variant}`;
  }

  /**
   * Queues text for speech, split into sentences; markup is removed and sentences with nothing
   * speakable are skipped. Returns the queued speeches.
   */
  say(sentences: string[], settings?: { voice?: string; rate?: number }): Speech[] {
    const out: Speech[] = [];
    for (const sentence of sentences) {
      const text = speakableText(sentence);
      if (text === "") continue;
      out.push(
        this.speaker.enqueue(text, {
          voice: settings?.voice ?? this.voice,
          rate: settings?.rate ?? this.rate,
        }),
      );
    }
    return out;
  }

  /** Splits a whole text and queues it (see {@link say}). */
  sayText(text: string, settings?: { voice?: string; rate?: number }): Speech[] {
    return this.say(splitSentences(text, { maxChars: this.splitter.maxChars }), settings);
  }

  /**
   * Stops speaking now: cuts the current sentence before its next frame, drops the queue and
   * the unfinished text of `text`. This is what `stop_speaking` and a bare `cancel` do. Returns
   * the speeches cancelled.
   */
  stopSpeaking(): number {
    this.#stops++;
    this.splitter.clear();
    return this.speaker.cancel();
  }

  /**
   * How many times speech was stopped. Text split before a stop but queued after it (a `text`
   * waiting for the engine) compares this to drop what the stop meant to silence.
   */
  get stops(): number {
    return this.#stops;
  }

  /** Stops speaking, closes the player and the WAV file, then the server. Idempotent. */
  override close(): Promise<void> {
    this.#closingTts ??= (async () => {
      this.speaker.close();
      await this.speaker.idle();
      await super.close();
      await this.player?.close(2000); // lets the last sentence finish playing
      await this.#wav
        ?.close()
        .catch((err: unknown) => this.#logLine(`wav: ${(err as Error).message}`));
      await this.engine.close?.();
    })();
    return this.#closingTts;
  }
}

const TTS_KEYS = [
  "engine",
  "espeakBinary",
  "model",
  "voice",
  "rate",
  "play",
  "device",
  "wav",
  "pace",
  "leadMs",
  "frameSamples",
  "maxSentenceChars",
] as const;

/** The options meant for ToolServer (everything but ours). */
function serverOptionsOf(options: TtsServerOptions): Partial<ToolServerOptions> {
  const out: Record<string, unknown> = { ...options };
  for (const key of TTS_KEYS) delete out[key];
  return out;
}

function checkOptions(o: TtsServerOptions): void {
  if (o.rate !== undefined && !(typeof o.rate === "number" && o.rate >= 0.5 && o.rate <= 4)) {
    throw new TtsError("EUSAGE", `rate must be a number from 0.5 to 4, got ${String(o.rate)}`);
  }
  if (o.pace !== undefined && o.pace !== "realtime" && o.pace !== "fast") {
    throw new TtsError("EUSAGE", `pace must be "realtime" or "fast", got ${String(o.pace)}`);
  }
  for (const key of ["leadMs", "frameSamples", "maxSentenceChars"] as const) {
    const v = o[key];
    if (v !== undefined && !(Number.isInteger(v) && v >= 0 && v <= 1_000_000)) {
      throw new TtsError("EUSAGE", `${key} must be a non-negative integer, got ${String(v)}`);
    }
  }
  if (o.frameSamples !== undefined && o.frameSamples < 16) {
    throw new TtsError("EUSAGE", `frameSamples must be at least 16, got ${o.frameSamples}`);
  }
  const play = o.play;
  if (
    play !== undefined &&
    typeof play !== "boolean" &&
    !["auto", "pacat", "aplay", "play"].includes(play)
  ) {
    throw new TtsError(
      "EUSAGE",
      `play must be auto, pacat, aplay, play or false, got ${String(play)}`,
    );
  }
}

/**
 * Creates the `tts` server (not yet listening).
 *
 * ```ts
 * const tts = createTtsServer({ wav: "out.wav", play: false });
 * await tts.listen();
 * await tts.ready; // engine loaded
 * ```
 */
export function createTtsServer(options: TtsServerOptions = {}): TtsServer {
  return new TtsServer(options);
}

/**
 * Creates the server, listens, and waits until its engine is loaded. A missing engine or device
 * leaves it serving in state `error` (reported once on stderr; commands that need it reply with
 * the fix); any other failure closes it and rethrows.
 */
export async function startTtsServer(options: TtsServerOptions = {}): Promise<TtsServer> {
  const server = createTtsServer(options);
  try {
    await server.listen();
    await server.ready;
  } catch (err) {
    if (isUnavailable(err)) return server;
    await server.close();
    throw err;
  }
  return server;
}
