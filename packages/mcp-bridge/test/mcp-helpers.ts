/**
 * Test helpers for the MCP bridge: MCP hosts built with the official SDK client that spawn the
 * bridge (as Claude Code or Cursor would), and paths of the compiled mains and fixture.
 */
import path from "node:path";
import type { TestContext } from "node:test";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import {
  StdioClientTransport,
  getDefaultEnvironment,
} from "@modelcontextprotocol/sdk/client/stdio.js";
import type { Progress } from "@modelcontextprotocol/sdk/types.js";

/** Compiled `bridge-main.js` (`cpipe mcp`). */
export const BRIDGE_MAIN = fileURLToPath(new URL("../src/bridge-main.js", import.meta.url));
/** Compiled `wrap-main.js` (`cpipe --serve mcp`). */
export const WRAP_MAIN = fileURLToPath(new URL("../src/wrap-main.js", import.meta.url));
/** Compiled stdio MCP fixture (run it with the `serve` argument). */
export const MCP_FIXTURE = fileURLToPath(new URL("./fixtures/mcp-fixture.js", import.meta.url));

/** The arguments that serve the MCP fixture as pipe tool `name` in `dir` (after `--serve mcp`). */
export function fixtureWrapArgs(dir: string, name: string): string[] {
  return ["--dir", dir, "--name", name, "--", process.execPath, MCP_FIXTURE, "serve"];
}

/** An MCP host session: the SDK client plus the spawned server's stderr. */
export interface Host {
  client: Client;
  stderr: () => string;
}

/** Spawns `node <script> ...args` as an MCP server over stdio and connects an SDK client to it. */
export async function spawnHost(
  t: TestContext,
  script: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<Host> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [script, ...args],
    env: { ...getDefaultEnvironment(), ...env },
    stderr: "pipe",
  });
  let err = "";
  transport.stderr?.on("data", (d: Buffer) => (err += d.toString()));
  const client = new Client({ name: "test-host", version: "1.0.0" }, { capabilities: {} });
  let closing = false;
  t.after(() => {
    closing = true;
    return client.close();
  });
  await client.connect(transport);
  // A server that dies mid-test says why on stderr: show it next to the failure.
  client.onclose = () => {
    if (!closing) t.diagnostic(`${path.basename(script)} exited early; stderr: ${err}`);
  };
  return { client, stderr: () => err };
}

/** An MCP host running `cpipe mcp --dir DIR [NAME...]`. */
export function bridgeHost(t: TestContext, dir: string, names: string[] = []): Promise<Host> {
  return spawnHost(t, BRIDGE_MAIN, ["--dir", dir, ...names]);
}

/**
 * SDK v1 clients drop progress read in the same chunk as its result (typescript-sdk#2580) and
 * report it through `onerror`; this hands such late progress to `sink`, so a test can check that
 * the server sent every item. Late ones are a microtask behind the result: yield once
 * (`setImmediate`) before looking.
 */
export function onLateProgress(client: Client, sink: (progress: Progress) => void): void {
  client.onerror = (err) => {
    const late = /unknown token: (.*)$/s.exec(err.message);
    if (late !== null) sink((JSON.parse(late[1]!) as { params: Progress }).params);
  };
}

/** Rejects after `ms` unless `promise` settles first. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The text of the first content item of a tool result. */
export function firstText(result: unknown): string {
  const content = (result as { content?: { type: string; text?: string }[] }).content;
  const first = content?.[0];
  return first?.type === "text" ? (first.text ?? "") : "";
}
