/**
 * The OpenAI-compatible HTTP backend against a local server in the test that speaks the
 * streaming wire format (SSE chunks): replies, usage, options, the API key, upstream errors,
 * dropped connections, refused connections and cancel.
 */
import assert from "node:assert/strict";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestContext } from "node:test";
import { test } from "node:test";
import type { RemoteError } from "named-pipe-tools";
import { startChatServer } from "../src/create.js";
import { collect, connect, tempDir, waitState } from "./helpers.js";

interface Upstream {
  url: string;
  bodies: Record<string, unknown>[];
  auth: (string | undefined)[];
  aborted: Promise<void>;
}

const chunk = (content: string): string =>
  `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;

/** A fake OpenAI-compatible server; the last user message picks its behaviour. */
async function fakeUpstream(t: TestContext): Promise<Upstream> {
  const bodies: Record<string, unknown>[] = [];
  const auth: (string | undefined)[] = [];
  let onAbort = (): void => undefined;
  const aborted = new Promise<void>((resolve) => (onAbort = resolve));
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = "";
    req.on("data", (d: Buffer) => (raw += d.toString()));
    req.on("end", () => {
      const body = JSON.parse(raw) as { messages: { content: string }[] };
      bodies.push(body);
      auth.push(req.headers.authorization);
      const mode = body.messages.at(-1)?.content;
      if (req.url !== "/v1/chat/completions") {
        res.writeHead(404).end("not found");
      } else if (mode === "fail") {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { message: "model exploded", type: "server_error" } }));
      } else if (mode === "drop") {
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.write(chunk("partial"), () => res.socket?.destroy());
      } else if (mode === "slow") {
        res.writeHead(200, { "content-type": "text/event-stream" });
        const timer = setInterval(() => res.write(chunk("tick ")), 10);
        res.on("close", () => {
          clearInterval(timer);
          onAbort();
        });
      } else {
        res.writeHead(200, { "content-type": "text/event-stream" });
        // Split an event across writes, as real servers and proxies may.
        res.write(chunk("Hel").slice(0, 10));
        res.write(chunk("Hel").slice(10) + chunk("lo"));
        res.write(": keep-alive comment\n\n");
        res.write(chunk(" there"));
        res.write(
          `data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: "length" }] })}\n\n`,
        );
        res.write(
          `data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 9, completion_tokens: 3 } })}\n\n`,
        );
        res.end("data: [DONE]\n\n");
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/v1`, bodies, auth, aborted };
}

async function start(t: TestContext, baseUrl: string) {
  const dir = await tempDir(t, "chat-pipes-");
  const server = await startChatServer(
    { backend: "openai", baseUrl, model: "test-model", apiKeyEnv: "CHAT_TEST_API_KEY", dir },
    { log: null, handleSignals: false },
  );
  t.after(() => server.close());
  return { server, client: await connect(t, dir) };
}

test("streams SSE chunks as token events, with usage; sends options and the key", async (t) => {
  process.env["CHAT_TEST_API_KEY"] = "sk-secret-123";
  t.after(() => delete process.env["CHAT_TEST_API_KEY"]);
  const up = await fakeUpstream(t);
  const { client } = await start(t, up.url);
  await waitState(client, "idle");
  const { items, final, text } = await collect(client, {
    messages: [
      { role: "system", content: "Be brief" },
      { role: "user", content: "hi" },
    ],
    max_tokens: 3,
    temperature: 0.5,
    top_p: 0.9,
    stop: "\n",
    seed: 4,
  });
  // Chunks that arrive together may be sent as one token event.
  assert.ok(items.length >= 1 && items.every((m) => m.done === false && m.event === "token"));
  assert.equal(text, "Hello there");
  assert.equal(final.done, true);
  assert.equal(final["finish_reason"], "length");
  const usage = final["usage"] as Record<string, number>;
  assert.equal(usage["prompt_tokens"], 9);
  assert.equal(usage["completion_tokens"], 3);
  assert.ok(usage["ttft_ms"]! >= 0);
  const body = up.bodies[0]!;
  assert.equal(body["model"], "test-model");
  assert.equal(body["stream"], true);
  assert.equal(body["max_tokens"], 3);
  assert.equal(body["temperature"], 0.5);
  assert.equal(body["top_p"], 0.9);
  assert.deepEqual(body["stop"], ["\n"]);
  assert.equal(body["seed"], 4);
  assert.equal(up.auth[0], "Bearer sk-secret-123");

  const blocking = await client.call("chat_blocking", { prompt: "hi" });
  assert.equal(blocking.event, "reply");
  assert.equal(blocking["text"], "Hello there");

  const config = await client.call("get_config");
  assert.equal(config["backend"], "openai");
  assert.equal(config["base_url"], up.url);
  assert.equal(config["api_key_env"], "CHAT_TEST_API_KEY");
  assert.equal(config["api_key_set"], true);
  assert.ok(!JSON.stringify(config).includes("sk-secret-123"), "get_config never shows the key");
});

test("an upstream error status becomes an upstream_error event", async (t) => {
  const up = await fakeUpstream(t);
  const { client } = await start(t, up.url);
  await assert.rejects(client.call("chat", { prompt: "fail" }), (err: RemoteError) => {
    assert.equal(err.remoteCode, "upstream_error");
    assert.match(err.message, /500 .*model exploded/);
    return true;
  });
  assert.equal(up.auth[0], undefined, "no key in the environment: no authorization header");
  // The server goes on serving.
  assert.equal((await client.call("chat_blocking", { prompt: "hi" }))["text"], "Hello there");
  await waitState(client, "idle");
});

test("a connection dropped mid-stream becomes an upstream_disconnected event", async (t) => {
  const up = await fakeUpstream(t);
  const { client } = await start(t, up.url);
  const items: string[] = [];
  await assert.rejects(
    client.call("chat", { prompt: "drop" }, { onEvent: (m) => items.push(String(m["text"])) }),
    (err: RemoteError) => {
      assert.equal(err.remoteCode, "upstream_disconnected");
      return true;
    },
  );
  assert.deepEqual(items, ["partial"]);
});

test("a refused connection becomes an upstream_disconnected event", async (t) => {
  const up = await fakeUpstream(t);
  const port = new URL(up.url).port;
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
  const deadPort = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  assert.notEqual(String(deadPort), port);
  const { client } = await start(t, `http://127.0.0.1:${deadPort}/v1`);
  await assert.rejects(client.call("chat", { prompt: "hi" }), (err: RemoteError) => {
    assert.equal(err.remoteCode, "upstream_disconnected");
    assert.match(err.message, /ECONNREFUSED/);
    return true;
  });
});

test("cancel aborts the upstream request", async (t) => {
  const up = await fakeUpstream(t);
  const { client } = await start(t, up.url);
  const stream = client.stream("chat", { prompt: "slow" });
  const it = stream[Symbol.asyncIterator]();
  assert.equal((await it.next()).value?.["text"], "tick ");
  assert.equal((await client.call("cancel"))["cancelled"], 1);
  await up.aborted; // the upstream saw its request closed
  await waitState(client, "idle");
});
