/**
 * Measures the cost of one tool call through the bridge (MCP client -> `cpipe mcp` -> pipe ->
 * demo server) next to a plain stdio MCP server doing the same echo, and a direct pipe call.
 * Usage: node dist/packages/mcp-bridge/test/measure-cost.js run [CALLS=500]
 * (without `run` it exits at once: `node --test` runs every file under test/).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ToolClient } from "named-pipe-tools";
import { DEMO_MAIN } from "named-pipe-tools-testkit";

import { BRIDGE_MAIN, MCP_FIXTURE } from "./mcp-helpers.js";

async function host(args: string[]): Promise<Client> {
  const client = new Client({ name: "measure", version: "1.0.0" });
  await client.connect(new StdioClientTransport({ command: process.execPath, args }));
  return client;
}

/** Times `calls` rounds; each round calls every path once, so all see the same machine load. */
async function time(calls: number, paths: (() => Promise<unknown>)[]): Promise<number[][]> {
  for (let i = 0; i < 50; i++) for (const fn of paths) await fn(); // warm-up
  const out: number[][] = paths.map(() => []);
  for (let i = 0; i < calls; i++) {
    for (const [k, fn] of paths.entries()) {
      const t0 = process.hrtime.bigint();
      await fn();
      out[k]!.push(Number(process.hrtime.bigint() - t0) / 1000);
    }
  }
  return out.map((us) => us.sort((a, b) => a - b));
}

function row(label: string, us: number[]): string {
  const at = (q: number): string =>
    us[Math.min(us.length - 1, Math.floor(q * us.length))]!.toFixed(0);
  return `| ${label} | ${at(0.5)} | ${at(0.9)} | ${at(0.99)} |`;
}

if (process.argv[2] === "run") {
  const calls = Number(process.argv[3] ?? 500);
  const dir = await mkdtemp(path.join(tmpdir(), "npt-measure-"));
  // The demo serves in its own process, as it would for real.
  const { spawn } = await import("node:child_process");
  const demo = spawn(process.execPath, [DEMO_MAIN, "--dir", dir], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((resolve) => demo.stdout.once("data", () => resolve()));

  try {
    const bridge = await host([BRIDGE_MAIN, "--dir", dir, "demo"]);
    const plain = await host([MCP_FIXTURE, "serve"]);
    const pipe = await ToolClient.connect("demo", { dir });
    const text = "hello";
    const [viaPlain, viaBridge, viaPipe] = await time(calls, [
      () => plain.callTool({ name: "echo", arguments: { text } }),
      () => bridge.callTool({ name: "demo__echo", arguments: { data: text } }),
      () => pipe.call("echo", { data: text }),
    ]);
    process.stdout.write(
      [
        `${calls} rounds of one echo call per path (interleaved), after 50 warm-up rounds; microseconds`,
        "",
        "| path | median | p90 | p99 |",
        "|---|---|---|---|",
        row("MCP client -> plain stdio MCP server (SDK McpServer)", viaPlain!),
        row("MCP client -> cpipe mcp -> pipe -> demo server", viaBridge!),
        row("pipe client -> demo server (no MCP)", viaPipe!),
        "",
      ].join("\n"),
    );
    await Promise.all([bridge.close(), plain.close(), pipe.close()]);
  } finally {
    demo.kill("SIGTERM");
    await rm(dir, { recursive: true, force: true });
  }
}
