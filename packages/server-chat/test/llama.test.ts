/**
 * The chat server on the embedded backend: real inference through node-llama-cpp on the tiny
 * test model (loading, the model's chat template, streaming, options, cancel).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { RemoteError } from "named-pipe-tools";
import { collect, connect, makeModel, startServer, waitState } from "./helpers.js";

const hello = [{ role: "user", content: "Hello" }];

test("loads the model, streams tokens, ends with done and usage", async (t) => {
  const model = await makeModel(t);
  const { server, dir } = await startServer(t, { model });
  const client = await connect(t, dir);
  await server.ready;
  await waitState(client, "idle");
  const { items, final, text } = await collect(client, { messages: hello, max_tokens: 12 });
  assert.ok(items.length > 0);
  for (const item of items) {
    assert.equal(item.event, "token");
    assert.equal(item.done, false);
    assert.equal(typeof item["text"], "string");
  }
  assert.equal(final.event, "token");
  assert.equal(final.done, true);
  assert.equal(final["text"], "");
  assert.equal(final["finish_reason"], "length");
  const usage = final["usage"] as Record<string, number>;
  // The ChatML template from the GGUF file: BOS + "<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n".
  assert.ok(usage["prompt_tokens"]! >= 10, `prompt_tokens ${usage["prompt_tokens"]}`);
  assert.ok(usage["completion_tokens"]! >= 1 && usage["completion_tokens"]! <= 12);
  assert.ok(usage["ttft_ms"]! >= 0);
  assert.ok(usage["duration_ms"]! >= usage["ttft_ms"]!);
  assert.ok(text.length > 0);

  const blocking = await client.call("chat_blocking", { messages: hello, max_tokens: 12 });
  assert.equal(blocking.event, "reply");
  assert.equal(blocking["text"], text, "greedy decoding is deterministic");

  const config = await client.call("get_config");
  assert.equal(config["backend"], "llama");
  assert.equal(config["chat_template"], "ChatML");
  assert.equal(config["threads"], 1);
  assert.equal(config["model_file"], model);
});

test("per-request options: max_tokens, seed, temperature, stop, ignore_eos", async (t) => {
  const model = await makeModel(t);
  const { dir } = await startServer(t, { model });
  const client = await connect(t, dir);

  const long = await client.call("chat_blocking", {
    prompt: "Tell me",
    max_tokens: 40,
    ignore_eos: true,
  });
  const usage = long["usage"] as Record<string, number>;
  assert.equal(long["finish_reason"], "length");
  assert.ok(usage["completion_tokens"]! >= 35 && usage["completion_tokens"]! <= 40);

  const sample = {
    prompt: "Tell me",
    max_tokens: 30,
    temperature: 1.2,
    top_p: 0.95,
    ignore_eos: true,
  };
  const a = await client.call("chat_blocking", { ...sample, seed: 7 });
  const b = await client.call("chat_blocking", { ...sample, seed: 7 });
  const c = await client.call("chat_blocking", { ...sample, seed: 8 });
  assert.equal(a["text"], b["text"], "the same seed gives the same text");
  assert.notEqual(a["text"], c["text"], "another seed gives another text");

  // A stop string cuts the reply before it.
  const full = String(long["text"]);
  const cut = full.slice(8, 12);
  assert.ok(cut.trim().length > 0, `need a stop string from ${JSON.stringify(full)}`);
  const stopped = await client.call("chat_blocking", {
    prompt: "Tell me",
    max_tokens: 40,
    ignore_eos: true,
    stop: [cut],
  });
  assert.equal(stopped["finish_reason"], "stop");
  assert.ok(full.startsWith(String(stopped["text"])));
  assert.ok(!String(stopped["text"]).includes(cut));

  await assert.rejects(client.call("chat", { messages: [] }), (err: RemoteError) => {
    assert.equal(err.remoteCode, "bad_args");
    return true;
  });
  await assert.rejects(client.call("chat", { max_tokens: 3 }), /messages/);
});

test("cancel stops the generation, frees the slot, and the next request runs", async (t) => {
  const model = await makeModel(t);
  const { dir } = await startServer(t, { model });
  const client = await connect(t, dir);
  const other = await connect(t, dir);
  const inferring = waitState(other, "inferring");
  const stream = client.stream("chat", { prompt: "Go", max_tokens: 1_000_000, ignore_eos: true });
  const it = stream[Symbol.asyncIterator]();
  const first = await it.next();
  assert.equal(first.done, false);
  await inferring;
  // The built-in cancel with no target cancels all of this client's requests.
  const idle = waitState(other, "idle");
  const reply = await client.call("cancel");
  assert.equal(reply.event, "cancelled");
  assert.equal(reply["cancelled"], 1);
  await assert.rejects(
    (async () => {
      for (;;) if ((await it.next()).done === true) return;
    })(),
    (err: RemoteError) => err.remoteCode === "cancelled",
  );
  await idle;
  const next = await other.call("chat_blocking", { prompt: "Hi", max_tokens: 4 });
  assert.equal(next.event, "reply");
});
