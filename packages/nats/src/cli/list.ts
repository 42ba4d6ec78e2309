/**
 * `cpipe --list nats://HOST:PORT`: the tools exported on NATS, found through the services API.
 */
import { closeNats, openNats } from "../auth.js";
import { listRemoteTools } from "../discovery.js";
import { parseNatsUrl, redact } from "../url.js";
import type { NatsCommand } from "./args.js";
import { Exit } from "./signals.js";

type List = Extract<NatsCommand, { kind: "list" }>;

/** Runs `cpipe --list nats://HOST:PORT`. */
export async function runList(cmd: List): Promise<number> {
  const address = parseNatsUrl(cmd.url, "none");
  const nc = await openNats(address, { ...cmd.auth, name: "cpipe list", maxReconnectAttempts: 0 });
  try {
    const tools = await listRemoteTools(nc, {
      timeoutMs: cmd.timeoutMs,
      ...(cmd.prefix === undefined ? {} : { prefix: cmd.prefix }),
    });
    if (cmd.jsonl) {
      for (const t of tools) {
        const { interface: _i, ...rest } = t;
        process.stdout.write(`${JSON.stringify(rest)}\n`);
      }
      return Exit.Ok;
    }
    const lines = [`${tools.length} tool(s) exported on ${redact(cmd.url)}`];
    for (const t of tools) {
      const hosts = t.instances === 1 ? "1 host" : `${t.instances} hosts`;
      lines.push(`  ${t.name.padEnd(16)} ${hosts.padEnd(8)} ${t.description}`);
      lines.push(`  ${"".padEnd(16)} ${"".padEnd(8)} ${t.commands.join(" ")}`);
    }
    process.stdout.write(`${lines.join("\n")}\n`);
    return Exit.Ok;
  } finally {
    await closeNats(nc);
  }
}
