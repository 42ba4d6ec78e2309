/**
 * The command line of cpipe's NATS commands:
 *
 *   cpipe --export nats://HOST:PORT (--tools a,b | --all) [--dir DIR] [--queue Q] [AUTH]
 *   cpipe --import nats://HOST:PORT/NAME [--as LOCAL] [--dir DIR] [AUTH]
 *   cpipe --list nats://HOST:PORT [-t SECS] [--jsonl] [AUTH]
 *   cpipe nats://HOST:PORT/NAME [CMD [DATA]] [-d DATA] [-j JSON] [-t SECS] [-n] [--jsonl] [-v] [AUTH]
 *
 * AUTH: --creds FILE, --nkey FILE, --user U --password P, --token T, --tls, --tls-ca FILE,
 * --tls-cert FILE, --tls-key FILE; secrets also from $NATS_PASSWORD, $NATS_TOKEN, $NATS_CREDS,
 * $NATS_NKEY (so they need not show in the process list). Every mistake is an `EUSAGE`
 * PipeToolError (exit 2).
 */
import { parseArgs } from "node:util";
import { PipeToolError } from "named-pipe-tools";
import type { NatsAuthOptions } from "../auth.js";
import { isNatsUrl } from "../url.js";

const OPTIONS = {
  export: { type: "string" },
  import: { type: "string" },
  list: { type: "boolean" },
  tools: { type: "string" },
  all: { type: "boolean" },
  as: { type: "string" },
  dir: { type: "string" },
  prefix: { type: "string" },
  queue: { type: "string" },
  creds: { type: "string" },
  nkey: { type: "string" },
  user: { type: "string" },
  password: { type: "string" },
  token: { type: "string" },
  tls: { type: "boolean" },
  "tls-ca": { type: "string" },
  "tls-cert": { type: "string" },
  "tls-key": { type: "string" },
  data: { type: "string", short: "d" },
  json: { type: "string", short: "j" },
  timeout: { type: "string", short: "t" },
  "no-wait": { type: "boolean", short: "n" },
  jsonl: { type: "boolean" },
  verbose: { type: "boolean", short: "v" },
  help: { type: "boolean", short: "h" },
} as const;

type Values = ReturnType<typeof parse>["values"];

function parse(argv: string[]) {
  return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
}

/** What every NATS command shares. */
export interface NatsCommon {
  url: string;
  auth: NatsAuthOptions;
  prefix: string | undefined;
  /** Timeout in ms. */
  timeoutMs: number;
  jsonl: boolean;
  verbose: boolean;
}

/** One parsed NATS command line. */
export type NatsCommand =
  | { kind: "help" }
  | (NatsCommon & {
      kind: "export";
      tools: string[] | "all";
      dir: string | undefined;
      queue: string | undefined;
    })
  | (NatsCommon & { kind: "import"; as: string | undefined; dir: string | undefined })
  | (NatsCommon & { kind: "list" })
  | (NatsCommon & { kind: "describe" })
  | (NatsCommon & {
      kind: "send";
      cmd: string;
      data: string | undefined;
      extra: Record<string, unknown>;
      wait: boolean;
    });

/** Whether a command line is one of the NATS commands (what cpipe hands to this package). */
export function isNatsCommand(argv: readonly string[]): boolean {
  return argv.some(
    (a) =>
      a === "--export" ||
      a === "--import" ||
      a.startsWith("--export=") ||
      a.startsWith("--import=") ||
      isNatsUrl(a),
  );
}

function usage(message: string): PipeToolError {
  return new PipeToolError("EUSAGE", message);
}

function timeoutOf(raw: string | undefined, fallbackMs: number): number {
  if (raw === undefined) return fallbackMs;
  const secs = /^(\d+(\.\d*)?|\.\d+)$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isFinite(secs)) throw usage(`-t/--timeout takes seconds (0 for none), got '${raw}'`);
  return secs === 0 ? 2_147_483_647 : Math.min(2_147_483_647, Math.max(1, Math.round(secs * 1000)));
}

function authOf(v: Values, env: NodeJS.ProcessEnv): NatsAuthOptions {
  const auth: NatsAuthOptions = {};
  const pick = (flag: string | undefined, name: string): string | undefined =>
    flag ?? (env[name] === undefined || env[name] === "" ? undefined : env[name]);
  const creds = pick(v.creds, "NATS_CREDS");
  const nkey = pick(v.nkey, "NATS_NKEY");
  const user = pick(v.user, "NATS_USER");
  const password = pick(v.password, "NATS_PASSWORD");
  const token = pick(v.token, "NATS_TOKEN");
  if (creds !== undefined) auth.creds = creds;
  if (nkey !== undefined) auth.nkey = nkey;
  if (user !== undefined) auth.user = user;
  if (password !== undefined) auth.password = password;
  if (token !== undefined) auth.token = token;
  const ca = v["tls-ca"];
  const cert = v["tls-cert"];
  const key = v["tls-key"];
  if ((cert === undefined) !== (key === undefined))
    throw usage("--tls-cert and --tls-key go together");
  if (ca !== undefined || cert !== undefined) {
    auth.tls = {
      ...(ca === undefined ? {} : { ca }),
      ...(cert === undefined ? {} : { cert, key: key! }),
    };
  } else if (v.tls === true) auth.tls = true;
  return auth;
}

/** Which options each command takes (besides the auth options and the mode flag). */
const ALLOWED: Record<string, readonly string[]> = {
  export: ["tools", "all", "dir", "queue", "prefix"],
  import: ["as", "dir", "prefix", "timeout"],
  list: ["prefix", "timeout", "jsonl"],
  describe: ["prefix", "timeout", "jsonl", "verbose"],
  send: ["prefix", "timeout", "jsonl", "verbose", "data", "json", "no-wait"],
};
const AUTH_KEYS = [
  "creds",
  "nkey",
  "user",
  "password",
  "token",
  "tls",
  "tls-ca",
  "tls-cert",
  "tls-key",
];

function checkAllowed(kind: string, v: Values, mode: string | undefined): void {
  const allowed = new Set([
    ...(ALLOWED[kind] ?? []),
    ...AUTH_KEYS,
    ...(mode === undefined ? [] : [mode]),
  ]);
  for (const [key, value] of Object.entries(v)) {
    if (value !== undefined && !allowed.has(key)) {
      throw usage(`--${key} does not apply to ${mode === undefined ? "a call" : `--${mode}`}`);
    }
  }
}

function jsonObject(raw: string | undefined): Record<string, unknown> {
  if (raw === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (err) {
    throw usage(`-j/--json is not valid JSON (${(err as Error).message}): ${raw}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw usage(`-j/--json must be a JSON object such as '{"n":3}', got ${raw}`);
  }
  return value as Record<string, unknown>;
}

/**
 * Parses a NATS command line (cpipe's arguments, without `node` and the script).
 * @throws PipeToolError `EUSAGE`
 */
export function parseNatsCli(argv: string[], env: NodeJS.ProcessEnv = process.env): NatsCommand {
  if (argv.includes("--help") || argv.includes("-h")) return { kind: "help" };
  let parsed;
  try {
    parsed = parse(argv);
  } catch (err) {
    throw usage((err as Error).message.split("\n")[0] ?? "bad arguments");
  }
  const { values: v, positionals } = parsed;
  if (v.help === true) return { kind: "help" };
  const modes = (["export", "import", "list"] as const).filter(
    (m) => v[m] !== undefined && v[m] !== false,
  );
  if (modes.length > 1) throw usage(`choose one of ${modes.map((m) => `--${m}`).join(", ")}`);
  const mode = modes[0];
  const url = mode === "export" ? v.export : mode === "import" ? v.import : positionals[0];
  if (url === undefined || !isNatsUrl(url)) {
    throw usage(
      `${mode === undefined ? "the tool" : `--${mode}`} needs a nats://HOST:PORT address`,
    );
  }
  const common: NatsCommon = {
    url,
    auth: authOf(v, env),
    prefix: v.prefix,
    timeoutMs: timeoutOf(v.timeout, mode === "list" ? 1000 : 5000),
    jsonl: v.jsonl === true,
    verbose: v.verbose === true,
  };
  if (mode === "export") {
    checkAllowed("export", v, "export");
    if (positionals.length > 0) throw usage(`unexpected argument '${positionals[0]!}'`);
    if ((v.tools === undefined) === (v.all !== true)) {
      throw usage("say what to export: --tools a,b (those tools) or --all (every local tool)");
    }
    const tools =
      v.all === true
        ? "all"
        : v
            .tools!.split(",")
            .map((t) => t.trim())
            .filter((t) => t !== "");
    if (tools !== "all" && tools.length === 0) throw usage("--tools needs at least one tool name");
    return { kind: "export", ...common, tools, dir: v.dir, queue: v.queue };
  }
  if (mode === "import") {
    checkAllowed("import", v, "import");
    if (positionals.length > 0) throw usage(`unexpected argument '${positionals[0]!}'`);
    return { kind: "import", ...common, as: v.as, dir: v.dir };
  }
  if (mode === "list") {
    checkAllowed("list", v, "list");
    if (positionals.length > 1) throw usage("--list takes one nats://HOST:PORT address");
    return { kind: "list", ...common };
  }
  const cmd = positionals[1];
  if (cmd === undefined || (cmd === "help" && positionals.length === 2)) {
    checkAllowed("describe", v, undefined);
    return { kind: "describe", ...common };
  }
  checkAllowed("send", v, undefined);
  if (positionals.length > 3)
    throw usage("too many arguments: expected nats://HOST:PORT/NAME CMD [DATA]");
  if (positionals[2] !== undefined && v.data !== undefined)
    throw usage("give DATA once: as an argument or with -d");
  return {
    kind: "send",
    ...common,
    cmd,
    data: positionals[2] ?? v.data,
    extra: jsonObject(v.json),
    wait: v["no-wait"] !== true,
  };
}
