/**
 * Parsing a server type's command line, the same way for every type: `--name`, `--dir`,
 * `--config FILE` and `--help` are common; every other `--flag` must be one of the type's
 * {@link OptionSpec}s and is checked against it. A config file is a JSON object whose keys are
 * the long flag names; flags on the command line win over it. Every mistake is a
 * `PipeToolError` `EUSAGE` that names the option and the value it got.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { PipeToolError } from "../errors.js";
import type { OptionSpec, ServeOptions, ServerType } from "./server-type.js";

/** What {@link parseServeArgs} found. */
export interface ParsedServeArgs {
  /** The options for `start()` (camelCase keys). */
  options: ServeOptions;
  /** `--help` or `-h` was given. */
  help: boolean;
}

const COMMON: readonly OptionSpec[] = [
  { flag: "name", type: "string", description: "tool name" },
  { flag: "dir", type: "string", description: "pipe directory", path: true },
];

function usage(message: string): PipeToolError {
  return new PipeToolError("EUSAGE", message);
}

/** `max-tokens` -> `maxTokens`. */
export function optionKey(flag: string): string {
  return flag.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

const show = (value: unknown): string =>
  typeof value === "string" ? `'${value}'` : JSON.stringify(value);

/** Checks and converts one value; `where` says where it came from (`--threads`, `config file x: threads`). */
function convert(spec: OptionSpec, value: unknown, where: string): unknown {
  switch (spec.type) {
    case "boolean":
      if (typeof value === "boolean") return value;
      if (value === "true" || value === "false") return value === "true";
      throw usage(`${where} is true or false, got ${show(value)}`);
    case "list": {
      const items =
        typeof value === "string"
          ? value.split(",")
          : Array.isArray(value) && value.every((v) => typeof v === "string")
            ? value
            : undefined;
      const list = items?.map((s) => s.trim()).filter((s) => s !== "");
      if (list === undefined || list.length === 0) {
        throw usage(`${where} needs a comma-separated list, got ${show(value)}`);
      }
      return list;
    }
    case "number":
    case "integer": {
      const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
      const integer = spec.type === "integer";
      if (typeof n !== "number" || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
        throw usage(
          `${where} needs ${integer ? "a whole number" : "a number"}, got ${show(value)}`,
        );
      }
      if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) {
        const range =
          spec.max === undefined
            ? `at least ${spec.min}`
            : spec.min === undefined
              ? `at most ${spec.max}`
              : `from ${spec.min} to ${spec.max}`;
        throw usage(`${where} must be ${range}, got ${show(value)}`);
      }
      return n;
    }
    case "string":
      if (typeof value !== "string" || value === "") {
        throw usage(`${where} needs a value, got ${show(value)}`);
      }
      if (spec.choices !== undefined && !spec.choices.includes(value)) {
        throw usage(`${where} must be one of ${spec.choices.join(", ")}, got ${show(value)}`);
      }
      return value;
  }
}

/** Reads a config file into flag -> checked value. */
function readConfig(file: string, specs: ReadonlyMap<string, OptionSpec>): Map<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    const why =
      (err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (err as Error).message;
    throw usage(`cannot read config file ${file}: ${why}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw usage(`config file ${file} must hold a JSON object, got ${JSON.stringify(parsed)}`);
  }
  const base = path.dirname(path.resolve(file));
  const out = new Map<string, unknown>();
  for (const [flag, raw] of Object.entries(parsed as Record<string, unknown>)) {
    const spec = specs.get(flag);
    if (spec === undefined) throw usage(`config file ${file}: unknown option '${flag}'`);
    let value = convert(spec, raw, `config file ${file}: '${flag}'`);
    if (spec.path === true && typeof value === "string" && !path.isAbsolute(value)) {
      const beside = path.resolve(base, value);
      if (existsSync(beside)) value = beside;
    }
    out.set(flag, value);
  }
  return out;
}

/**
 * Parses `args` (everything after `--serve TYPE`, or a server main's arguments) against the
 * type's options.
 * @throws PipeToolError `EUSAGE` naming the bad option and the value given
 */
export function parseServeArgs(type: ServerType, args: readonly string[]): ParsedServeArgs {
  const specs = new Map<string, OptionSpec>();
  for (const spec of [...COMMON, ...type.options]) specs.set(spec.flag, spec);
  const given = new Map<string, unknown>();
  let config: string | undefined;
  let help = false;
  let rest: string[] | undefined;

  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--" || !arg.startsWith("-") || arg === "-") {
      if (type.rest === undefined) {
        throw usage(
          arg === "--"
            ? `--serve ${type.name} takes no arguments after '--'`
            : `unexpected argument '${arg}' (options start with --)`,
        );
      }
      rest = args.slice(arg === "--" ? i + 1 : i);
      break;
    }
    if (arg === "--help" || arg === "-h") {
      help = true;
      continue;
    }
    const eq = arg.indexOf("=");
    const flag = (eq < 0 ? arg : arg.slice(0, eq)).replace(/^--?/, "");
    const inline = eq < 0 ? undefined : arg.slice(eq + 1);
    if (flag === "config") {
      config = inline ?? args[++i];
      if (config === undefined || config === "") throw usage("--config needs a file");
      continue;
    }
    let spec = specs.get(flag);
    let value: unknown = inline;
    if (spec === undefined && flag.startsWith("no-")) {
      const negated = specs.get(flag.slice(3));
      if (negated?.type === "boolean" && inline === undefined) {
        spec = negated;
        value = false;
      }
    }
    if (spec === undefined) {
      throw usage(`unknown option '${arg.slice(0, eq < 0 ? undefined : eq)}'`);
    }
    if (given.has(spec.flag)) throw usage(`--${spec.flag} is given twice`);
    if (value === undefined) {
      if (spec.type === "boolean") value = true;
      else {
        value = args[++i];
        if (value === undefined) throw usage(`--${spec.flag} needs a value`);
      }
    }
    given.set(spec.flag, convert(spec, value, `--${spec.flag}`));
  }

  if (type.rest?.required === true && (rest === undefined || rest.length === 0) && !help) {
    throw usage(`--serve ${type.name} needs ${type.rest.name} (after '--')`);
  }
  const merged = config === undefined ? new Map<string, unknown>() : readConfig(config, specs);
  for (const [flag, value] of given) merged.set(flag, value);
  const options: Record<string, unknown> = {};
  for (const [flag, value] of merged) options[optionKey(flag)] = value;
  if (rest !== undefined) options["rest"] = rest;
  return { options: options, help };
}
