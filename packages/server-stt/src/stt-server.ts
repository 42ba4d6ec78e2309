/**
 * createSttServer: the `stt` tool server for code use.
 */
import { rm } from "node:fs/promises";
import path from "node:path";
import { ToolServer } from "named-pipe-tools";
import type { ToolServerOptions } from "named-pipe-tools";
import type { CaptureBackend } from "./audio/devices.js";
import type { VadOptions } from "./audio/vad.js";
import { registerCommands } from "./commands.js";
import type { SttEngine } from "./engine.js";
import type { EngineOptions } from "./engines/index.js";
import { createEngine } from "./engines/index.js";
import { SttError, isUnavailable } from "./errors.js";
import { writeKeywordGrammar } from "./grammar.js";
import { HELP } from "./help.js";
import type { InputMode } from "./service.js";
import { SttService } from "./service.js";

/** Options of {@link createSttServer}. Every field is optional. */
export interface SttServerOptions extends EngineOptions {
  /** Tool name ["stt"]. */
  name?: string;
  /** Pipe directory [the core's default]. */
  dir?: string;
  /** Diagnostics [stderr]; null silences them. */
  log?: ((line: string) => void) | null;
  /** Stop on SIGINT / SIGTERM [true]. */
  handleSignals?: boolean;
  /** Engine name ("pocketsphinx", "whisper") or an engine object ["pocketsphinx"]. */
  engine?: string | SttEngine;
  /** Phrases to recognise exactly (pocketsphinx; becomes a JSGF grammar). */
  keywords?: string[];
  /** Live input ["mic"]: the microphone plus the data channel; "data": the data channel only; "none". */
  input?: InputMode;
  /** Capture program [parec with a sound server, else arecord, else sox]. */
  capture?: CaptureBackend;
  /** Input device: index or name substring [the default input]. */
  device?: number | string;
  /** VAD settings (onset 90 ms, offset 600 ms, pre-roll 300 ms, mode 2). */
  vad?: VadOptions;
  /** Start listening once loaded [true]. */
  autostart?: boolean;
  /** A data client's utterance ends after this long without audio, ms [1,500]. */
  dataIdleMs?: number;
  /**
   * Results whose confidence is lower are rejected: `text` "" and `rejected` holds what was
   * heard, so an agent does not act on noise [0.7 with a grammar or keywords, else 0: off].
   */
  minConfidence?: number;
}

/** The default minimum confidence of grammar and keyword results (see pocketsphinx-spotter.ts). */
export const DEFAULT_MIN_CONFIDENCE = 0.7;

/** A created server and its loading. */
export interface SttServer {
  /** The tool server (not yet listening). */
  server: ToolServer;
  /** The recognition service behind it. */
  service: SttService;
  /** Resolves when the engine is loaded; rejects with an {@link SttError} naming the fix. */
  ready: Promise<void>;
}

const INPUTS = ["mic", "data", "none"] as const;

/**
 * Creates the `stt` server. The engine starts loading at once (state `loading`); call
 * `server.listen()`, and await `ready` to know it can transcribe.
 */
export async function createSttServer(options: SttServerOptions = {}): Promise<SttServer> {
  const input = options.input ?? "mic";
  if (!INPUTS.includes(input)) {
    throw new SttError(
      "EUSAGE",
      `input must be one of ${INPUTS.join(", ")}, got '${String(input)}'`,
    );
  }
  const min = options.minConfidence;
  if (min !== undefined && !(typeof min === "number" && min >= 0 && min <= 1)) {
    throw new SttError("EUSAGE", `minConfidence must be a number from 0 to 1, got ${String(min)}`);
  }
  let grammar = options.grammar === undefined ? undefined : path.resolve(options.grammar);
  let grammarDir: string | undefined;
  if (options.keywords !== undefined) {
    if (grammar !== undefined)
      throw new SttError("EUSAGE", "use either a grammar or keywords, not both");
    grammar = await writeKeywordGrammar(options.keywords);
    grammarDir = path.dirname(grammar);
  }
  const engine =
    typeof options.engine === "object"
      ? options.engine
      : createEngine(options.engine ?? "pocketsphinx", {
          ...options,
          ...(grammar === undefined ? {} : { grammar }),
        });
  const serverOptions: ToolServerOptions = {
    name: options.name ?? "stt",
    description: `Speech to text (${engine.name}): live from a microphone or the data channel, or from files`,
    help: HELP,
    initialState: "loading",
    config: () => ({
      ...engine.config(),
      input,
      capture: options.capture ?? "auto",
      device: service.device?.name ?? null,
      min_confidence: min ?? (grammar === undefined ? 0 : DEFAULT_MIN_CONFIDENCE),
      error: service.error?.message ?? null,
    }),
    ...(options.dir === undefined ? {} : { dir: options.dir }),
    ...(options.log === undefined ? {} : { log: options.log }),
    ...(options.handleSignals === undefined ? {} : { handleSignals: options.handleSignals }),
  };
  const server = new ToolServer(serverOptions);
  const name = serverOptions.name ?? "stt";
  const log =
    options.log === null
      ? () => {}
      : (options.log ?? ((line: string) => process.stderr.write(`[${name}] ${line}\n`)));
  const service: SttService = new SttService(server, engine, {
    log,
    minConfidence: min ?? (grammar === undefined ? 0 : DEFAULT_MIN_CONFIDENCE),
    input,
    vad: options.vad ?? {},
    autostart: options.autostart ?? true,
    dataIdleMs: options.dataIdleMs ?? 1500,
    ...(options.capture === undefined ? {} : { capture: options.capture }),
    ...(options.device === undefined ? {} : { device: options.device }),
  });
  registerCommands(server, service);
  if (grammarDir !== undefined) {
    const dir = grammarDir;
    void server.closed.then(() => rm(dir, { recursive: true, force: true }));
  }
  return { server, service, ready: service.ready };
}

/**
 * Creates the server, listens, and waits until its engine is loaded. A missing engine, model or
 * device leaves it serving in state `error` (reported once on stderr; commands that need it reply
 * with the fix); any other load failure closes it and rethrows.
 */
export async function startSttServer(options: SttServerOptions = {}): Promise<ToolServer> {
  const { server, ready } = await createSttServer(options);
  await server.listen();
  try {
    await ready;
  } catch (err) {
    if (isUnavailable(err)) return server;
    await server.close();
    throw err;
  }
  return server;
}
