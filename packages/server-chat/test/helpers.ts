/**
 * Helpers of the chat server tests: the test model in a temp dir, an in-process server.
 */
import path from "node:path";
import type { TestContext } from "node:test";
import type { EventMessage } from "named-pipe-tools";
import { ToolClient } from "named-pipe-tools";
import { tempDir } from "named-pipe-tools-testkit";
import type { ChatServer } from "../src/chat-server.js";
import type { ChatConfig } from "../src/config.js";
import { startChatServer } from "../src/create.js";
import { writeTestModel } from "../src/test-model/test-model.js";

export { spawnNode, tempDir, until, waitForOutput } from "named-pipe-tools-testkit";

/** Writes the test model into a fresh temp dir; returns its path. */
export async function makeModel(t: TestContext, name = "tiny.gguf"): Promise<string> {
  const file = path.join(await tempDir(t, "chat-model-"), name);
  await writeTestModel(file);
  return file;
}

/** Starts a chat server in this process on a fresh pipe dir; closed after the test. */
export async function startServer(
  t: TestContext,
  config: Partial<ChatConfig>,
): Promise<{ server: ChatServer; dir: string; logs: string[] }> {
  const dir = await tempDir(t, "chat-pipes-");
  const logs: string[] = [];
  const server = await startChatServer(
    { backend: "llama", threads: 1, gpu: false, probe: false, ...config, dir },
    { log: (line) => logs.push(line), handleSignals: false },
  );
  t.after(() => server.close());
  return { server, dir, logs };
}

/** Connects a client; closed after the test. */
export async function connect(t: TestContext, dir: string): Promise<ToolClient> {
  const client = await ToolClient.connect("chat", { dir });
  t.after(() => client.close());
  return client;
}

/** Collects a stream's items and its final message. */
export async function collect(
  client: ToolClient,
  args: Record<string, unknown>,
): Promise<{ items: EventMessage[]; final: EventMessage; text: string }> {
  const items: EventMessage[] = [];
  const final = await client.call("chat", args, { onEvent: (m) => items.push(m) });
  return { items, final, text: items.map((m) => String(m["text"])).join("") };
}

/** Resolves with the next `state_changed` to `state` (or at once if already there). */
export async function waitState(client: ToolClient, state: string, ms = 10_000): Promise<void> {
  let off = (): void => undefined;
  const changed = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`state ${state} not reached`)), ms);
    off = client.on("state_changed", (msg) => {
      if (msg["state"] === state) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  changed.catch(() => undefined);
  try {
    const now = await client.call("get_state");
    if (now["state"] === state) return;
    await changed;
  } finally {
    off();
  }
}
