/**
 * `--help` of a server type, generated from its option declarations.
 */
import type { OptionSpec, ServerType } from "./server-type.js";

const PLACEHOLDER: Record<OptionSpec["type"], string> = {
  string: "TEXT",
  number: "N",
  integer: "N",
  boolean: "",
  list: "A,B",
};

function left(spec: OptionSpec): string {
  if (spec.type === "boolean") return `--${spec.flag}`;
  const value =
    spec.placeholder ??
    (spec.choices !== undefined ? spec.choices.join("|") : PLACEHOLDER[spec.type]);
  return `--${spec.flag} ${value}`;
}

function right(spec: OptionSpec): string {
  const def = spec.default;
  if (def === undefined) return spec.description;
  const shown = Array.isArray(def) ? def.join(",") : String(def);
  return `${spec.description} [${shown}]`;
}

function table(rows: [string, string][]): string {
  const width = Math.min(28, Math.max(...rows.map(([l]) => l.length)) + 2);
  return rows
    .map(([l, r]) =>
      l.length + 2 > width ? `  ${l}\n  ${" ".repeat(width)}${r}` : `  ${l.padEnd(width)}${r}`,
    )
    .join("\n");
}

/**
 * The help text of a server type: its description, a usage line for `prog` (`cpipe --serve
 * chat`), its own options and the common ones.
 */
export function formatServeUsage(type: ServerType, prog = `cpipe --serve ${type.name}`): string {
  const rest = type.rest === undefined ? "" : ` -- ${type.rest.name}`;
  const own = type.options.map((spec): [string, string] => [left(spec), right(spec)]);
  if (type.rest !== undefined) own.push([`-- ${type.rest.name}`, type.rest.description]);
  const common: [string, string][] = [
    ["--name NAME", `tool name [${type.name}]`],
    ["--dir DIR", "pipe directory [$PIPE_TOOLS_DIR, else /tmp]"],
    ["--config FILE", "a JSON object of these options (keys: the long flag names); flags win"],
    ["--help", "this text"],
  ];
  return [
    `${type.name}: ${type.description}`,
    "",
    `Usage: ${prog} [OPTIONS]${rest}`,
    ...(own.length === 0 ? [] : ["", "Options:", table(own)]),
    "",
    "Common options:",
    table(common),
    "",
  ].join("\n");
}
