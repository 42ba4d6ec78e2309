/**
 * The STT service behind the commands: engine, microphone, data-channel clients, states and
 * the events they broadcast. Knows nothing of argument parsing.
 */
import { readlink } from "node:fs/promises";
import path from "node:path";
import type { Sender, ToolServer } from "named-pipe-tools";
import { Capture } from "./audio/capture.js";
import type { CaptureBackend, InputDevice } from "./audio/devices.js";
import { chooseBackend, listDevices, matchDevice } from "./audio/devices.js";
import { readWavFile } from "./audio/wav.js";
import type { VadOptions } from "./audio/vad.js";
import type { DataFormat } from "./data-input.js";
import { DEFAULT_DATA_FORMAT, DataDecoder, dataSourceName } from "./data-input.js";
import type { SttEngine, Transcript } from "./engine.js";
import { applyMinConfidence } from "./engine.js";
import { SttError, isUnavailable } from "./errors.js";
import type { FinalTranscript, UtteranceHandlers } from "./utterances.js";
import { Utterances } from "./utterances.js";

/** Where live audio comes from: the microphone (plus the data channel), the data channel only, or nowhere. */
export type InputMode = "mic" | "data" | "none";

/** Settings of {@link SttService}. */
export interface ServiceOptions {
  input: InputMode;
  vad: VadOptions;
  /** Capture program [auto: parec with a sound server, else arecord, else sox]. */
  capture?: CaptureBackend;
  /** Input device (index or name substring) [the default input]. */
  device?: number | string;
  /** Start listening once loaded [true]. */
  autostart: boolean;
  /** A data client's utterance in progress ends after this long without audio, ms [1,500]. */
  dataIdleMs: number;
  /** Where a failure that puts the server in state `error` is reported (one line each). */
  log: (line: string) => void;
  /** Results with a lower confidence are rejected (`text` "", `rejected` set); 0 keeps all. */
  minConfidence: number;
}

/** How long `start` waits for the microphone's first audio before calling it working, ms. */
const MIC_CONFIRM_MS = 3000;

interface DataClient {
  sender: Sender;
  decoder: DataDecoder;
  path: Utterances;
  lastAudio: number;
}

/** Runs recognition for one server. */
export class SttService {
  readonly #server: ToolServer;
  readonly #engine: SttEngine;
  readonly #opts: ServiceOptions;
  readonly #formats = new Map<string, DataFormat>();
  readonly #clients = new Map<string, Promise<DataClient>>();
  readonly #busy = new Set<string>();
  readonly #timer: NodeJS.Timeout;
  #loaded = false;
  #loadError: Error | undefined;
  #active = false;
  #device: InputDevice | undefined;
  #capture: Capture | undefined;
  #mic: Utterances | undefined;
  #micError: Error | undefined;
  #files = 0;
  #dataBytes = 0;
  #ignoredBytes = 0;
  #utterances = 0;
  /** Resolves once the engine is loaded (rejects with its error). */
  readonly ready: Promise<void>;

  constructor(server: ToolServer, engine: SttEngine, options: ServiceOptions) {
    this.#server = server;
    this.#engine = engine;
    this.#opts = options;
    this.#timer = setInterval(() => this.#sweep(), 250).unref();
    this.ready = this.#load();
    this.ready.catch(() => undefined);
    void server.closed.then(() => this.close());
  }

  async #load(): Promise<void> {
    try {
      await this.#engine.load();
      if (this.#opts.device !== undefined && this.#opts.input === "mic") {
        this.#device = await this.#findDevice(this.#opts.device);
      }
    } catch (err) {
      this.#loadError = err as Error;
      // Other load failures stop the server; whoever started it reports them.
      if (isUnavailable(err)) this.#opts.log(`cannot transcribe: ${(err as Error).message}`);
      this.#update();
      throw err;
    }
    this.#loaded = true;
    // A missing microphone leaves the server up in state `error` (reported by #failMic);
    // `start` reports it again to whoever asks.
    if (this.#opts.autostart && this.#opts.input !== "none") await this.#start().catch(() => {});
    else this.#update();
  }

  /** Why the server is in state `error` (undefined when it is not). */
  get error(): Error | undefined {
    return this.#loadError ?? (this.#active ? this.#micError : undefined);
  }

  /** The state to show: loading, listening, transcribing, paused or error. */
  get state(): string {
    if (this.#loadError !== undefined) return "error";
    if (!this.#loaded) return "loading";
    if (this.#busy.size > 0 || this.#files > 0) return "transcribing";
    if (!this.#active) return "paused";
    return this.#micError !== undefined ? "error" : "listening";
  }

  #update(): void {
    this.#server.setState(this.state);
  }

  /**
   * Starts listening (opens the microphone in `mic` mode). No-op when already listening.
   * @throws SttError the engine's load error, or `ECAPTURE` when the microphone cannot be
   *   opened (the message names the fix).
   */
  async start(): Promise<void> {
    await this.ready;
    await this.#start();
  }

  async #start(): Promise<void> {
    if (this.#opts.input === "none") {
      throw new SttError(
        "EUSAGE",
        "this server has no live input (--input none); use transcribe {path}",
      );
    }
    if (this.#active && this.#micError === undefined) return;
    this.#active = true;
    this.#micError = undefined;
    if (this.#opts.input === "mic") await this.#openMic();
    this.#update();
    // Set by #failMic while the microphone was opening.
    const failed = this.#micError as Error | undefined;
    if (failed !== undefined) throw failed;
  }

  /** Stops listening: closes the microphone and ends data clients' utterances. */
  async pause(): Promise<void> {
    await this.ready.catch(() => {}); // nothing to stop when the engine never loaded
    this.#active = false;
    this.#closeMic();
    for (const [key, pending] of this.#clients) {
      this.#clients.delete(key);
      (await pending).path.flush();
    }
    this.#update();
  }

  async #openMic(): Promise<void> {
    this.#closeMic();
    const backend = await chooseBackend(this.#opts.capture);
    if (backend === undefined) {
      this.#failMic(
        new SttError(
          "ECAPTURE",
          "no capture program found: install pulseaudio-utils (parec), alsa-utils (arecord) or sox, or use --input data to take audio from clients",
        ),
      );
      return;
    }
    const mic = await Utterances.create(this.#engine, this.#opts.vad, this.#handlers("mic"));
    this.#mic = mic;
    const capture = new Capture(backend, this.#device?.name, {
      onAudio: (samples) => mic.push(samples),
      onFailure: (err) => this.#failMic(err),
    });
    this.#capture = capture;
    // A capture program that cannot open its device exits at once: wait for its first audio
    // (or its failure) so `start` can answer with the reason.
    await capture.confirmed(MIC_CONFIRM_MS);
  }

  #closeMic(): void {
    this.#capture?.stop();
    this.#capture = undefined;
    this.#mic?.flush();
    this.#mic?.close();
    this.#mic = undefined;
  }

  #failMic(err: Error): void {
    this.#micError = err;
    this.#opts.log(`microphone unavailable: ${err.message}`);
    this.#closeMic();
    this.#server.broadcast("stt_error", {
      source: "mic",
      message: err.message,
      code: (err as SttError).code ?? "EIO",
    });
    this.#update();
  }

  /** Lists input devices. */
  async listDevices(): Promise<InputDevice[]> {
    const backend = await chooseBackend(this.#opts.capture);
    if (backend === undefined) {
      throw new SttError(
        "ECAPTURE",
        "no capture program found: install pulseaudio-utils (parec), alsa-utils (arecord) or sox",
      );
    }
    return listDevices(backend);
  }

  /** The chosen device (undefined: the default input). */
  get device(): InputDevice | undefined {
    return this.#device;
  }

  async #findDevice(wanted: number | string): Promise<InputDevice> {
    const found = matchDevice(await this.listDevices(), wanted);
    if (found === undefined)
      throw new SttError("ENODEVICE", `no input device matching '${wanted}'`);
    return found;
  }

  /** Chooses the input device (null: the default) and reopens the microphone if it is open. */
  async setDevice(wanted: number | string | null): Promise<InputDevice | undefined> {
    await this.ready;
    this.#device = wanted === null ? undefined : await this.#findDevice(wanted);
    if (this.#active && this.#opts.input === "mic") {
      this.#micError = undefined;
      await this.#openMic();
      this.#update();
    }
    return this.#device;
  }

  /**
   * Transcribes a WAV file. A relative path resolves against the requesting client's working
   * directory where the system shows it (/proc on Linux), else the server's.
   */
  async transcribeFile(file: string, from?: Sender): Promise<Transcript & { duration: number }> {
    await this.ready;
    const samples = await readWavFile(path.resolve(await clientCwd(from), file));
    this.#files++;
    this.#update();
    try {
      const t = applyMinConfidence(
        await this.#engine.transcribe(samples),
        this.#opts.minConfidence,
      );
      return { ...t, duration: samples.length / 16_000 };
    } finally {
      this.#files--;
      this.#update();
    }
  }

  /** Declares the format of a client's data-channel audio. */
  setFormat(sender: Sender, format: Partial<DataFormat>): DataFormat {
    const full = { ...DEFAULT_DATA_FORMAT, ...format };
    new DataDecoder(full); // validates
    this.#formats.set(sender.key, full);
    this.#dropClient(sender.key, true);
    return full;
  }

  /** Counters for `get_stats`. */
  stats(): Record<string, unknown> {
    return {
      data_bytes: this.#dataBytes,
      ignored_bytes: this.#ignoredBytes,
      utterances: this.#utterances,
      sources: [...this.#busy],
    };
  }

  /** Audio from a client on the data channel. */
  onData(payload: Buffer, sender: Sender): void {
    if (!this.#loaded || !this.#active || this.#opts.input === "none") {
      this.#ignoredBytes += payload.length;
      return;
    }
    this.#dataBytes += payload.length;
    let pending = this.#clients.get(sender.key);
    if (pending === undefined) {
      const decoder = new DataDecoder(this.#formats.get(sender.key) ?? DEFAULT_DATA_FORMAT);
      pending = Utterances.create(
        this.#engine,
        this.#opts.vad,
        this.#handlers(dataSourceName(sender)),
      ).then((p) => ({
        sender,
        decoder,
        path: p,
        lastAudio: Date.now(),
      }));
      pending.catch(() => undefined);
      this.#clients.set(sender.key, pending);
    }
    // Promise order keeps frames in order while the VAD loads.
    void pending.then((client) => {
      client.lastAudio = Date.now();
      // An empty frame ends the utterance, in order with the audio before it.
      if (payload.length === 0) client.path.flush();
      else client.path.push(client.decoder.push(payload));
    });
  }

  /** Ends a client's utterance in progress now (it said its audio ended). */
  async endAudio(sender: Sender): Promise<void> {
    const pending = this.#clients.get(sender.key);
    if (pending !== undefined) (await pending).path.flush();
  }

  #dropClient(key: string, flush: boolean): void {
    const pending = this.#clients.get(key);
    if (pending === undefined) return;
    this.#clients.delete(key);
    void pending.then((client) => {
      if (flush) client.path.flush();
      client.path.close();
    });
  }

  /** Ends utterances of clients that left or went quiet mid-utterance. */
  #sweep(): void {
    const present = new Set(this.#server.subscribers.map((s) => s.key));
    for (const key of this.#formats.keys()) if (!present.has(key)) this.#formats.delete(key);
    for (const [key, pending] of this.#clients) {
      if (!present.has(key)) {
        this.#dropClient(key, true); // finish what it said before it left
        continue;
      }
      void pending.then((client) => {
        if (client.path.busy && Date.now() - client.lastAudio > this.#opts.dataIdleMs)
          client.path.flush();
      });
    }
  }

  #handlers(source: string): UtteranceHandlers {
    let sent = "";
    return {
      onBusy: (busy) => {
        if (busy) this.#busy.add(source);
        else this.#busy.delete(source);
        this.#update();
      },
      onStart: (start) => {
        sent = "";
        this.#server.broadcast("speech_start", { source, time: round(start) });
      },
      onPartial: (soFar, start) => {
        if (soFar.text === sent) return;
        const delta = soFar.text.startsWith(sent)
          ? soFar.text.slice(sent.length).trim()
          : soFar.text;
        sent = soFar.text;
        if (delta !== "") this.#server.broadcast("token", { source, text: delta });
        this.#server.broadcast("speech", { source, ...withEpochWords(soFar, start) });
      },
      onFinal: (final: FinalTranscript, start) => {
        this.#utterances++;
        const result = applyMinConfidence(final, this.#opts.minConfidence);
        const fields = { source, ...withEpochWords(result, start) };
        if (result.text !== sent) {
          const delta = result.text.startsWith(sent)
            ? result.text.slice(sent.length).trim()
            : result.text;
          if (delta !== "") this.#server.broadcast("token", { source, text: delta });
          this.#server.broadcast("speech", fields);
        }
        this.#server.broadcast("speech_end", {
          ...fields,
          reason: final.reason,
          decode_ms: final.decodeMs,
          end_delay_ms: final.endDelayMs,
        });
      },
      onError: (err) => {
        this.#server.broadcast("speech_end", { source, text: "", reason: "error" });
        this.#server.broadcast("stt_error", {
          source,
          message: err.message,
          code: (err as SttError).code ?? "EIO",
        });
      },
    };
  }

  /** Stops everything and frees the engine. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#active = false;
    this.#closeMic();
    for (const key of [...this.#clients.keys()]) this.#dropClient(key, false);
    await this.#engine.close();
  }
}

async function clientCwd(from: Sender | undefined): Promise<string> {
  if (from?.pid === undefined) return process.cwd();
  return readlink(`/proc/${from.pid}/cwd`).catch(() => process.cwd());
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

/**
 * The transcript's wire fields: word times as epoch seconds rounded to ms, as the reference
 * sends them, then the confidence and the rejected text where there are some.
 */
function withEpochWords(t: Transcript, start: number): Transcript {
  const out: Transcript = { text: t.text };
  if (t.words !== undefined) {
    out.words = t.words.map((w) => ({
      word: w.word,
      start: round(start + w.start),
      end: round(start + w.end),
      ...(w.confidence === undefined ? {} : { confidence: w.confidence }),
    }));
  }
  if (t.confidence !== undefined) out.confidence = t.confidence;
  if (t.rejected !== undefined) out.rejected = t.rejected;
  return out;
}
