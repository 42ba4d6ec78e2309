/**
 * Parsing cpipe's command line (node:util parseArgs) into one {@link CliCommand}. Nothing here
 * touches a pipe; every mistake becomes a {@link UsageError} (exit 2).
 */
import { parseArgs } from "node:util";
import { UsageError } from "./errors.js";

/** `-t 0` means no timeout: the longest delay a Node timer takes. */
export const NO_TIMEOUT_MS = 2_147_483_647;
/** Default of `-t` for sending, in ms. */
export const DEFAULT_TIMEOUT_MS = 5000;
/** Default of `-t` for the per-tool probes of `--list` / `--pid`, in ms. */
export const DEFAULT_PROBE_TIMEOUT_MS = 500;

const OPTIONS = {
  data: { type: "string", short: "d" },
  json: { type: "string", short: "j" },
  timeout: { type: "string", short: "t" },
  "no-wait": { type: "boolean", short: "n" },
  "no-subscribe": { type: "boolean" },
  verbose: { type: "boolean", short: "v" },
  jsonl: { type: "boolean" },
  dir: { type: "string" },
  list: { type: "boolean" },
  pid: { type: "boolean" },
  clear: { type: "boolean" },
  recursive: { type: "boolean", short: "r" },
  watch: { type: "boolean" },
  serve: { type: "string" },
  name: { type: "string" },
  tool: { type: "boolean" },
  reference: { type: "boolean" },
  tui: { type: "boolean" },
  basic: { type: "boolean" },
  version: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

type OptionName = keyof typeof OPTIONS;
type Values = ReturnType<typeof parse>["values"];

function parse(argv: string[]) {
  return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
}

/** Options shared by the commands that talk to one tool. */
export interface TargetOptions {
  /** Tool name or upstream pipe path. */
  target: string;
  /** Pipe directory for a bare name (undefined: the default). */
  dir: string | undefined;
  /** Timeout in ms. */
  timeoutMs: number;
  /** Log every message sent and received on stderr. */
  verbose: boolean;
  /** Print JSON lines instead of readable text. */
  jsonl: boolean;
  /** The tool is a server of the Python reference project (no request ids). */
  reference?: boolean;
}

/** `cpipe PIPE CMD [DATA]`. */
export interface SendCommand extends TargetOptions {
  kind: "send";
  cmd: string;
  /** DATA as typed (`-` reads stdin); undefined when none. */
  data: string | undefined;
  /** Fields from `-j`, merged last. */
  extra: Record<string, unknown>;
  /** Wait for the reply (false with `-n` or `--no-subscribe`). */
  wait: boolean;
}

/** `cpipe PIPE` / `cpipe PIPE help`. */
export interface DescribeCommand extends TargetOptions {
  kind: "describe";
}

/** `cpipe --watch PIPE`. */
export interface WatchCommand extends TargetOptions {
  kind: "watch";
}

/** `cpipe --list|--pid|--clear [DIR]`. */
export interface DiscoverCommand {
  kind: "list" | "pid" | "clear";
  dir: string | undefined;
  recursive: boolean;
  jsonl: boolean;
  /** Per-tool probe timeout, in ms. */
  timeoutMs: number;
}

/** `cpipe --serve TYPE`. */
export interface ServeCommand {
  kind: "serve";
  type: string;
  name: string | undefined;
  dir: string | undefined;
  /** The type's own options: everything after `--serve TYPE` but `--name`, `--dir`, `--detach`. */
  args: string[];
  /** `--detach`: start it in the background and return once it answers ping (cli/detach.ts). */
  detach?: boolean;
}

/** `cpipe --tui [--dir DIR]` (the dashboard); `bare` is `cpipe` with no arguments at all. */
export interface TuiCommand {
  kind: "tui";
  dir?: string;
}

/** One parsed command line. */
export type CliCommand =
  | { kind: "help" }
  | { kind: "bare" }
  | TuiCommand
  | { kind: "version" }
  | SendCommand
  | DescribeCommand
  | WatchCommand
  | DiscoverCommand
  | ServeCommand;

const FLAG_NAMES: Record<OptionName, string> = Object.fromEntries(
  Object.entries(OPTIONS).map(([long, spec]) => [
    long,
    "short" in spec ? `-${spec.short}/--${long}` : `--${long}`,
  ]),
) as Record<OptionName, string>;

/** Which options each kind of command accepts (besides its mode flag). */
const ALLOWED: Record<string, readonly OptionName[]> = {
  send: [
    "data",
    "json",
    "timeout",
    "no-wait",
    "no-subscribe",
    "verbose",
    "jsonl",
    "dir",
    "tool",
    "reference",
  ],
  describe: ["timeout", "verbose", "jsonl", "dir", "tool", "reference"],
  watch: ["timeout", "verbose", "jsonl", "dir", "tool", "reference"],
  list: ["dir", "recursive", "jsonl", "timeout"],
  pid: ["dir", "recursive", "jsonl", "timeout"],
  clear: ["dir", "recursive", "jsonl"],
  tui: ["dir"],
};

function checkAllowed(kind: string, values: Values, mode: OptionName | undefined): void {
  const allowed = new Set<string>(ALLOWED[kind] ?? []);
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined || key === mode || allowed.has(key)) continue;
    const what = mode === undefined ? "sending a command" : FLAG_NAMES[mode];
    throw new UsageError(`${FLAG_NAMES[key as OptionName]} does not apply to ${what}`);
  }
}

/** Parses `-t SECONDS` (0: no timeout). */
export function parseTimeout(raw: string | undefined, fallbackMs: number): number {
  if (raw === undefined) return fallbackMs;
  const secs = /^(\d+(\.\d*)?|\.\d+)$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isFinite(secs)) {
    throw new UsageError(`-t/--timeout takes seconds (a number, 0 for none), got '${raw}'`);
  }
  if (secs === 0) return NO_TIMEOUT_MS;
  return Math.min(NO_TIMEOUT_MS, Math.max(1, Math.round(secs * 1000)));
}

/** Parses `-j OBJECT`. */
export function parseJsonObject(raw: string | undefined, flag: string): Record<string, unknown> {
  if (raw === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (err) {
    throw new UsageError(`${flag} is not valid JSON (${(err as Error).message}): ${raw}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new UsageError(`${flag} must be a JSON object such as '{"n":3}', got ${raw}`);
  }
  return value as Record<string, unknown>;
}

const RESERVED = ["pid", "client", "id", "cmd"];

function parseErrorMessage(err: Error): string {
  const unknown = /Unknown option '([^']+)'/.exec(err.message);
  if (unknown !== null) return `unknown option '${unknown[1]}'`;
  const missing = /Option '([^']+)' argument missing/.exec(err.message);
  if (missing !== null) return `option ${missing[1]} needs a value`;
  const ambiguous = /Option '([^']+)' argument is ambiguous/.exec(err.message);
  if (ambiguous !== null) {
    return `the value of ${ambiguous[1]} starts with '-'; write it as --opt=VALUE`;
  }
  return err.message.split("\n")[0] ?? err.message;
}

/**
 * Parses cpipe's arguments (without `node` and the script).
 * @throws UsageError
 */
export function parseCli(argv: string[]): CliCommand {
  const serveAt = argv.findIndex((a) => a === "--serve" || a.startsWith("--serve="));
  const separator = argv.indexOf("--");
  if (serveAt !== -1 && (separator === -1 || serveAt < separator)) return parseServe(argv, serveAt);
  if (argv.length === 0) return { kind: "bare" };
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    throw new UsageError(parseErrorMessage(err as Error));
  }
  const { values, positionals } = parsed;
  if (values.help === true) return { kind: "help" };
  if (values.version === true) return { kind: "version" };
  if (values.basic === true) {
    throw new UsageError(
      "--basic (the old uppercase SUBSCRIBE protocol) is not supported; cpipe speaks the tool protocol",
    );
  }

  const modes = (["serve", "list", "pid", "clear", "watch", "tui"] as const).filter(
    (m) => values[m] !== undefined && values[m] !== false,
  );
  if (modes.length > 1) {
    throw new UsageError(`choose one of ${modes.map((m) => `--${m}`).join(", ")}`);
  }
  const mode = modes[0];
  const jsonl = values.jsonl === true;

  if (mode === "list" || mode === "pid" || mode === "clear") {
    checkAllowed(mode, values, mode);
    if (positionals.length > 1) {
      throw new UsageError(`--${mode} takes at most one directory, got ${positionals.length}`);
    }
    const posDir = positionals[0];
    if (posDir !== undefined && values.dir !== undefined && posDir !== values.dir) {
      throw new UsageError(`give the directory once: '${posDir}' or --dir '${values.dir}'`);
    }
    return {
      kind: mode,
      dir: posDir ?? values.dir,
      recursive: values.recursive === true,
      jsonl,
      timeoutMs: parseTimeout(values.timeout, DEFAULT_PROBE_TIMEOUT_MS),
    };
  }

  if (mode === "tui") {
    checkAllowed("tui", values, "tui");
    if (positionals.length > 0) throw new UsageError("--tui takes no arguments (use --dir DIR)");
    return values.dir === undefined ? { kind: "tui" } : { kind: "tui", dir: values.dir };
  }

  const target = positionals[0];
  if (target === undefined || target === "") {
    throw new UsageError(
      mode === "watch" ? "--watch needs a tool name" : "missing the tool name (PIPE)",
    );
  }
  const common = {
    target,
    dir: values.dir,
    timeoutMs: parseTimeout(values.timeout, DEFAULT_TIMEOUT_MS),
    verbose: values.verbose === true,
    jsonl,
    ...(values.reference === true ? { reference: true } : {}),
  };

  if (mode === "watch") {
    checkAllowed("watch", values, "watch");
    if (positionals.length > 1) throw new UsageError("--watch takes one tool name");
    return { kind: "watch", ...common };
  }

  const cmd = positionals[1];
  if (cmd === undefined || (cmd === "help" && positionals.length === 2)) {
    checkAllowed("describe", values, undefined);
    return { kind: "describe", ...common };
  }
  checkAllowed("send", values, undefined);
  if (positionals.length > 3) {
    throw new UsageError(
      `too many arguments: expected PIPE CMD [DATA], got ${positionals.length} (quote DATA that has spaces)`,
    );
  }
  if (cmd === "") throw new UsageError("the command (CMD) is empty");
  const positionalData = positionals[2];
  if (positionalData !== undefined && values.data !== undefined) {
    throw new UsageError("give DATA once: as an argument or with -d, not both");
  }
  const extra = parseJsonObject(values.json, "-j/--json");
  for (const key of RESERVED) {
    if (Object.hasOwn(extra, key)) {
      throw new UsageError(`-j/--json must not set '${key}': cpipe sets it`);
    }
  }
  const noSubscribe = values["no-subscribe"] === true;
  return {
    kind: "send",
    ...common,
    cmd,
    data: positionalData ?? values.data,
    extra,
    wait: values["no-wait"] !== true && !noSubscribe,
  };
}

/**
 * Parses `cpipe [--name NAME] [--dir DIR] --serve TYPE [TYPE OPTIONS...]`: `--name` and `--dir`
 * are cpipe's; every other argument after the type belongs to the type (for example
 * `--serve chat --model m.gguf`, `--serve mcp -- cmd args`).
 */
function parseServe(argv: string[], at: number): ServeCommand {
  const own = argv[at]!;
  let type = own.startsWith("--serve=") ? own.slice("--serve=".length) : argv[at + 1];
  const rest = [...argv.slice(0, at), ...argv.slice(own.startsWith("--serve=") ? at + 1 : at + 2)];
  if (type === undefined || type === "" || type.startsWith("-")) {
    throw new UsageError("--serve needs a server type, such as 'cpipe --serve demo'");
  }
  // A type or package name is case-insensitive; a module path is taken as given.
  if (!/[/\\]|\.[cm]?js$/.test(type)) type = type.toLowerCase();
  let name: string | undefined;
  let dir: string | undefined;
  let detach = false;
  const args: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === "--") {
      args.push(...rest.slice(i));
      break;
    }
    if (arg === "--detach") {
      detach = true;
      continue;
    }
    const match = /^--(name|dir)(?:=(.*))?$/.exec(arg);
    if (match === null) {
      args.push(arg);
      continue;
    }
    const value = match[2] ?? rest[++i];
    if (value === undefined || value === "")
      throw new UsageError(`option --${match[1]} needs a value`);
    if (match[1] === "name") name = value;
    else dir = value;
  }
  return { kind: "serve", type, name, dir, args, ...(detach ? { detach } : {}) };
}
