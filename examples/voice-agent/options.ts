/**
 * The voice agent's command line: parsing, checks and the usage text.
 */
import { parseArgs } from "node:util";

/** Everything the agent can be told on its command line. */
export interface AgentOptions {
  /** Tool names of the three servers. */
  names: { stt: string; chat: string; tts: string };
  /** Pipe directory [the core's default: $PIPE_TOOLS_DIR, else /tmp; loopback: a fresh one]. */
  dir: string | undefined;
  /** The system prompt. */
  system: string;
  /** Most tokens per reply. */
  maxTokens: number;
  /** Start missing servers with `cpipe --serve ... --detach` [true]. */
  start: boolean;
  /** Stop speaking and cancel the reply when the user starts speaking [true]. */
  bargeIn: boolean;
  /** For a chat server the agent starts: a GGUF file or URI, or the upstream model name. */
  model: string | undefined;
  /** For a chat server the agent starts: an OpenAI-compatible endpoint. */
  baseUrl: string | undefined;
  /** For an stt server the agent starts: phrases (pocketsphinx keyword mode). */
  keywords: string | undefined;
  /** For an stt server the agent starts: a JSGF grammar file. */
  grammar: string | undefined;
  /** For an stt server the agent starts: silence that ends an utterance, ms. */
  endSilenceMs: number;
  /** For a tts server the agent starts: the voice. */
  voice: string | undefined;
  /** More options for servers the agent starts, per type. */
  extra: { stt: string[]; chat: string[]; tts: string[] };
  /** One JSON line of results per turn on stdout (the human lines go to stderr). */
  json: boolean;
  /** Loopback mode: the question WAV played into a virtual microphone. */
  loopback: string | undefined;
  /** Loopback: how many times the question is asked, one turn each. */
  repeat: number;
  /** Loopback: a second WAV played while the first reply is playing (a barge-in). */
  interrupt: string | undefined;
  /** Loopback: how long after the first reply's first audio the interruption starts, ms. */
  interruptAfterMs: number;
  /** Loopback: write what the speaker played to this WAV file. */
  record: string | undefined;
  /** Longest a turn may take before it is abandoned, ms. */
  turnTimeoutMs: number;
}

/** What `--help` prints. */
export const USAGE = `usage: npm run voice-agent -- [options]

A voice agent over named pipes: microphone -> stt -> chat -> tts -> speaker. The reply is
spoken sentence by sentence as it streams; speaking over it stops it (barge-in). Each turn
prints where the time went from the end of your speech to the first audio out.

Servers (used when running, else started with cpipe --serve ... --detach and stopped at exit):
  --stt NAME, --chat NAME, --tts NAME   tool names [stt, chat, tts]
  --dir DIR                 pipe directory [$PIPE_TOOLS_DIR, else /tmp]
  --no-start                only use running servers
  --model PATH|URI          chat: a GGUF model (or the upstream model name with --base-url)
  --base-url URL            chat: an OpenAI-compatible endpoint (Ollama, llama-server, ...)
  --keywords PHRASES        stt: comma-separated phrases (pocketsphinx keyword mode)
  --grammar FILE            stt: a JSGF grammar
  --end-silence MS          stt: silence that ends your turn [400]
  --voice V                 tts: the voice
  --stt-arg ARG, --chat-arg ARG, --tts-arg ARG
                            one more option for that server, in the = form (repeatable):
                            --stt-arg=--vad-mode=3
The conversation:
  --system TEXT             the system prompt
  --max-tokens N            longest reply [200]
  --no-barge-in             let replies finish while you speak (for a speaker without headphones)
  --turn-timeout MS         give up on a turn after this long [60000]
  --json                    one JSON line of results per turn on stdout
Loopback (headless: a private PulseAudio server, a virtual microphone, the speaker recorded):
  --loopback QUESTION.wav   ask the question in the WAV, then exit
  --repeat N                ask it N times [1]
  --interrupt WAV           speak this WAV over the first reply (a barge-in)
  --interrupt-after MS      ... this long after the reply's first audio [300]
  --record FILE.wav         write what the speaker played
`;

const DEFAULT_SYSTEM =
  "You are a voice assistant. Answer in one to three short spoken sentences, without lists or markup.";

/** Thrown for a bad command line; main prints its message and the usage hint. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

function integer(flag: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    throw new UsageError(`--${flag} must be an integer of at least ${min}, got '${value}'`);
  }
  return n;
}

function toolName(flag: string, value: string | undefined, fallback: string): string {
  const name = value ?? fallback;
  if (!/^[A-Za-z0-9][\w.-]{0,63}$/.test(name)) {
    throw new UsageError(`--${flag} must be a tool name (letters, digits, . _ -), got '${name}'`);
  }
  return name;
}

/**
 * Parses the agent's arguments (without `node main.js`); returns undefined for `--help`.
 * @throws UsageError naming the option and the value given
 */
export function parseAgentArgs(argv: readonly string[]): AgentOptions | undefined {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      options: {
        help: { type: "boolean", short: "h" },
        stt: { type: "string" },
        chat: { type: "string" },
        tts: { type: "string" },
        dir: { type: "string" },
        "no-start": { type: "boolean" },
        "no-barge-in": { type: "boolean" },
        model: { type: "string" },
        "base-url": { type: "string" },
        keywords: { type: "string" },
        grammar: { type: "string" },
        "end-silence": { type: "string" },
        voice: { type: "string" },
        "stt-arg": { type: "string", multiple: true },
        "chat-arg": { type: "string", multiple: true },
        "tts-arg": { type: "string", multiple: true },
        system: { type: "string" },
        "max-tokens": { type: "string" },
        "turn-timeout": { type: "string" },
        json: { type: "boolean" },
        loopback: { type: "string" },
        repeat: { type: "string" },
        interrupt: { type: "string" },
        "interrupt-after": { type: "string" },
        record: { type: "string" },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help === true) return undefined;
  const loopback = values.loopback;
  const loopbackOnly = ["repeat", "interrupt", "interrupt-after", "record"] as const;
  for (const flag of loopbackOnly) {
    if (loopback === undefined && values[flag] !== undefined) {
      throw new UsageError(`--${flag} needs --loopback`);
    }
  }
  if (loopback !== undefined && (values.dir !== undefined || values["no-start"] === true)) {
    throw new UsageError(
      "--loopback starts its own servers in a private pipe directory: leave out --dir and --no-start",
    );
  }
  return {
    names: {
      stt: toolName("stt", values.stt, "stt"),
      chat: toolName("chat", values.chat, "chat"),
      tts: toolName("tts", values.tts, "tts"),
    },
    dir: values.dir,
    system: values.system ?? DEFAULT_SYSTEM,
    maxTokens: integer("max-tokens", values["max-tokens"], 200, 1),
    start: values["no-start"] !== true,
    bargeIn: values["no-barge-in"] !== true,
    model: values.model,
    baseUrl: values["base-url"],
    keywords: values.keywords,
    grammar: values.grammar,
    endSilenceMs: integer("end-silence", values["end-silence"], 400, 30),
    voice: values.voice,
    extra: {
      stt: values["stt-arg"] ?? [],
      chat: values["chat-arg"] ?? [],
      tts: values["tts-arg"] ?? [],
    },
    json: values.json === true,
    loopback,
    repeat: integer("repeat", values.repeat, 1, 1),
    interrupt: values.interrupt,
    interruptAfterMs: integer("interrupt-after", values["interrupt-after"], 300, 0),
    record: values.record,
    turnTimeoutMs: integer("turn-timeout", values["turn-timeout"], 60_000, 1000),
  };
}
