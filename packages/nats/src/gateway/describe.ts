/**
 * What a local tool offers, read through its pipes: its description and its own interface
 * (the commands that become NATS endpoints).
 */
import type { InterfaceSpec, ToolClient } from "named-pipe-tools";
import { BUILTIN_COMMANDS, QUERY_BUILTINS, RemoteError } from "named-pipe-tools";

/**
 * Built-in commands a remote caller may use: the core's QUERY_BUILTINS (`subscribe`,
 * `unsubscribe`, `cancel` and `stop` stay local).
 */
export const EXPORTED_BUILTINS: readonly string[] = QUERY_BUILTINS;

/** A local tool as exported. */
export interface ToolDescription {
  description: string;
  /** Its own interface, when it has one (a reference server may have none). */
  iface: InterfaceSpec | undefined;
}

/** Reads `client`'s description and own interface. */
export async function describeLocalTool(client: ToolClient): Promise<ToolDescription> {
  const desc = await client.call("get_description");
  const listed = await client.call("list_interfaces").catch((err: unknown) => {
    if (err instanceof RemoteError) return undefined; // an older reference server
    throw err;
  });
  const names = Array.isArray(listed?.["interfaces"]) ? (listed["interfaces"] as unknown[]) : [];
  const own = names.find((n): n is string => typeof n === "string" && n !== "base");
  let iface: InterfaceSpec | undefined;
  if (own !== undefined) {
    const reply = await client.call("get_interface", { name: own });
    const spec = reply["interface"];
    if (typeof spec === "object" && spec !== null) iface = spec as InterfaceSpec;
  }
  return {
    description: typeof desc["description"] === "string" ? desc["description"] : "",
    iface,
  };
}

/** The commands exported as endpoints: the tool's own (never a local-only built-in), then the built-ins. */
export function exportedCommands(iface: InterfaceSpec | undefined): string[] {
  const own = (iface?.commands ?? [])
    .map((c) => c.name.toLowerCase())
    .filter((c) => !BUILTIN_COMMANDS.has(c));
  return [...new Set([...own, ...EXPORTED_BUILTINS])];
}
