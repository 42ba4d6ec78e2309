/**
 * Which tools are exported on a NATS system, through the services API (`$SRV.INFO`): every
 * gateway answers for each tool it exports, so one tool exported by three hosts shows three
 * instances. Services that are not pipe tools (no `tool` in their metadata, or endpoints
 * outside the prefix) are left out.
 */
import type { NatsConnection, ServiceInfo } from "nats";
import { RequestStrategy } from "nats";
import type { InterfaceSpec } from "named-pipe-tools";
import { DEFAULT_PREFIX, checkPrefix } from "./subjects.js";

/** One exported tool as discovery sees it. */
export interface RemoteTool {
  /** The tool's name. */
  name: string;
  /** Its description. */
  description: string;
  /** The commands it exports (endpoint names), sorted. */
  commands: string[];
  /** How many hosts (gateways) export it. */
  instances: number;
  /** The ids of those gateways, sorted. */
  gateways: string[];
  /** Its interface, from the service metadata, when it has one. */
  interface: InterfaceSpec | undefined;
}

function parseInterface(raw: string | undefined): InterfaceSpec | undefined {
  if (raw === undefined) return undefined;
  try {
    const value = JSON.parse(raw) as unknown;
    return typeof value === "object" && value !== null ? (value as InterfaceSpec) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Lists the tools exported on `nc`'s NATS system, waiting `timeoutMs` for the answers (every
 * gateway answers within a round trip; the wait is how long a slow one is given).
 */
export async function listRemoteTools(
  nc: NatsConnection,
  options: { prefix?: string; timeoutMs?: number } = {},
): Promise<RemoteTool[]> {
  const prefix = checkPrefix(options.prefix ?? DEFAULT_PREFIX);
  const client = nc.services.client({
    strategy: RequestStrategy.Timer,
    maxWait: options.timeoutMs ?? 1000,
  });
  const infos: ServiceInfo[] = [];
  try {
    for await (const info of await client.info()) infos.push(info);
  } catch (err) {
    // 503: no service at all answers.
    if ((err as { code?: unknown }).code !== "503") throw err;
  }
  const tools = new Map<string, RemoteTool>();
  for (const info of infos) {
    const name = info.metadata?.["tool"];
    if (name === undefined) continue;
    const endpoints = info.endpoints.filter((e) => e.subject.startsWith(`${prefix}.call.`));
    if (endpoints.length === 0) continue;
    const tool = tools.get(name) ?? {
      name,
      description: info.description,
      commands: [],
      instances: 0,
      gateways: [],
      interface: parseInterface(info.metadata?.["interface"]),
    };
    tool.instances++;
    tool.gateways.push(info.metadata?.["gateway"] ?? info.id);
    tool.commands = [...new Set([...tool.commands, ...endpoints.map((e) => e.name)])].sort();
    tools.set(name, tool);
  }
  for (const tool of tools.values()) tool.gateways.sort();
  return [...tools.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
}
