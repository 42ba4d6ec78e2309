/**
 * The commands a tool offers for calling, from its interfaces: its own first, then the
 * built-in ones that make sense from a dashboard (not subscribe/unsubscribe/cancel, which this
 * connection manages itself, nor stop, which has its own confirmed action).
 */
import type { CommandSpec } from "named-pipe-tools";
import { commandFields } from "../model/form-fields.js";
import type { ToolDetails } from "../model/tools-monitor.js";

/** One callable command and the interface it comes from. */
export interface Callable {
  iface: string;
  spec: CommandSpec;
}

const NOT_CALLABLE = new Set(["subscribe", "unsubscribe", "cancel", "stop"]);

/** The callable commands of a tool. */
export function callableCommands(details: ToolDetails | undefined): Callable[] {
  if (details === undefined) return [];
  const own = details.interfaces.filter((i) => i.name !== "base");
  const base = details.interfaces.filter((i) => i.name === "base");
  const seen = new Set<string>();
  const out: Callable[] = [];
  for (const iface of [...own, ...base]) {
    for (const spec of iface.commands) {
      if (NOT_CALLABLE.has(spec.name) || seen.has(spec.name)) continue;
      seen.add(spec.name);
      out.push({ iface: iface.name, spec });
    }
  }
  return out;
}

/** One line describing a command's arguments: `n* integer 0..10, interval_ms integer =0`. */
export function argsSummary(spec: CommandSpec): string {
  const fields = commandFields(spec);
  if (fields.length === 0) return "no arguments";
  return fields
    .map((f) => {
      const def = f.default === undefined ? "" : ` =${JSON.stringify(f.default)}`;
      return `${f.key}${f.required ? "*" : ""} ${f.hint}${def}`;
    })
    .join(", ");
}
