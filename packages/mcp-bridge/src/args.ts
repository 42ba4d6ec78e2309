/**
 * Command-line arguments of `cpipe mcp` and `cpipe --serve mcp`. Bad arguments throw
 * `McpBridgeError` `EUSAGE` naming the argument and the value.
 */
import path from "node:path";
import { validateToolName } from "named-pipe-tools";
import { McpBridgeError } from "./errors.js";

/** `cpipe mcp [--dir DIR] [NAME...]` */
export const BRIDGE_USAGE = "cpipe mcp [--dir DIR] [NAME | nats://HOST:PORT/NAME ...]";

/** Default of `--init-timeout`: how long the MCP server has to answer initialize, in ms. */
export const DEFAULT_INIT_TIMEOUT_MS = 30_000;

/** Parsed `cpipe mcp` arguments. */
export interface BridgeArgs {
  dir: string | undefined;
  /** Tools to bridge; undefined: every live tool. */
  names: string[] | undefined;
  /** Remote tools to bridge too (`nats://HOST:PORT/NAME`, through named-pipe-tools-nats). */
  remote: string[];
  help: boolean;
}

type Options = Record<string, string | true>;

/** Splits options (`--key value`, `--key=value`, flags) from the rest, which starts at the first non-option or after `--`. */
function split(
  args: readonly string[],
  valued: ReadonlySet<string>,
  flags: ReadonlySet<string>,
  usage: string,
): { options: Options; rest: string[] } {
  const options: Options = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") return { options, rest: args.slice(i + 1) };
    if (!arg.startsWith("-") || arg === "-") return { options, rest: args.slice(i) };
    const eq = arg.indexOf("=");
    const key = (eq < 0 ? arg : arg.slice(0, eq)).replace(/^--?/, "");
    if (flags.has(key) && eq < 0) options[key] = true;
    else if (valued.has(key)) {
      const value = eq >= 0 ? arg.slice(eq + 1) : args[++i];
      if (value === undefined || value === "") {
        throw new McpBridgeError("EUSAGE", `option --${key} needs a value; usage: ${usage}`);
      }
      options[key] = value;
    } else
      throw new McpBridgeError("EUSAGE", `unknown option ${JSON.stringify(arg)}; usage: ${usage}`);
  }
  return { options, rest: [] };
}

function opt(options: Options, key: string): string | undefined {
  const value = options[key];
  return typeof value === "string" ? value : undefined;
}

/** Parses `cpipe mcp` arguments (everything after `mcp`). */
export function parseBridgeArgs(
  args: readonly string[],
  common: { dir?: string } = {},
): BridgeArgs {
  const names: string[] = [];
  const remote: string[] = [];
  let dir = common.dir;
  let help = false;
  let rest = [...args];
  while (rest.length > 0) {
    const { options, rest: after } = split(
      rest,
      new Set(["dir"]),
      new Set(["help", "h"]),
      BRIDGE_USAGE,
    );
    dir = opt(options, "dir") ?? dir;
    help ||= options["help"] === true || options["h"] === true;
    const [name, ...more] = after;
    if (name !== undefined && /^(nats|tls):\/\//i.test(name)) remote.push(name);
    else if (name !== undefined) {
      try {
        names.push(validateToolName(name));
      } catch (err) {
        throw new McpBridgeError("EUSAGE", (err as Error).message, { cause: err });
      }
    }
    rest = more;
  }
  // Only remote tools named: no local ones (an empty list, not "all").
  const local = names.length > 0 ? names : remote.length > 0 ? [] : undefined;
  return { dir, names: local, remote, help };
}

const LAUNCHERS = new Set([
  "node",
  "npx",
  "bunx",
  "bun",
  "deno",
  "uvx",
  "uv",
  "python",
  "python3",
  "pipx",
  "docker",
]);

/**
 * A tool name for a wrapped command: the base name of its program, or of its first non-option
 * argument when the program is a launcher (`npx -y @scope/server-x` -> `server-x`).
 */
export function deriveName(command: readonly string[]): string {
  let base = path.basename(command[0] ?? "").replace(/\.(exe|cmd)$/i, "");
  if (LAUNCHERS.has(base)) {
    const target = command.slice(1).find((a) => !a.startsWith("-") && a !== "run");
    if (target !== undefined) base = path.basename(target);
  }
  const cleaned = base
    .replace(/@[^@/]*$/, "") // a version pin: pkg@1.2.3
    .replace(/\.(m?js|cjs|ts|py)$/i, "")
    .replace(/[^A-Za-z0-9_.-]/g, "_")
    .replace(/^[-.]+/, "")
    .replace(/(-\d+|-data)$/, "");
  try {
    return validateToolName(cleaned);
  } catch {
    throw new McpBridgeError(
      "EUSAGE",
      `cannot derive a tool name from ${JSON.stringify(command.join(" "))}: pass --name NAME`,
    );
  }
}
