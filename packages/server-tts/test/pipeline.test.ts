/**
 * The seed's pipeline (examples/tts-client.ts): a chat tool's tokens stream into `text`, so
 * speech starts while the model is still generating. The chat tool is a stand-in that streams
 * a fixed reply, one token every 30 ms, so the test does not depend on a model.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { test } from "node:test";
import { z } from "zod";
import { ToolServer } from "named-pipe-tools";
import { ROOT, spawnNode } from "named-pipe-tools-testkit";
import { NO_ESPEAK, startTts } from "./tts-helpers.js";

const EXAMPLE = path.join(ROOT, "dist/examples/tts-client.js");
const REPLY =
  "The lighthouse keeper lit the lamp at dusk. Ships passed safely all night, and at dawn he slept.";

test(
  "examples/tts-client.ts: speech starts before the model finishes",
  { skip: NO_ESPEAK },
  async (t) => {
    const { dir } = await startTts(t, { pace: "fast" });
    const chat = new ToolServer({ name: "chat", dir, log: null, handleSignals: false });
    chat.command(
      "chat",
      {
        args: z.object({ messages: z.array(z.object({ role: z.string(), content: z.string() })) }),
        stream: true,
      },
      async function* (_args, ctx) {
        for (const token of REPLY.match(/\S+\s*/g) ?? []) {
          await delay(30, undefined, { signal: ctx.signal }); // the stand-in model "generating"
          yield { text: token };
        }
      },
    );
    await chat.listen();
    t.after(() => chat.close());

    const proc = spawnNode(t, EXAMPLE, ["--dir", dir, "--prompt", "a story"]);
    assert.equal(await proc.exited, 0, proc.stderr());
    const out = proc.stdout();
    assert.match(out, /sentences spoken: 2,/);
    assert.match(out, new RegExp(`reply: ${REPLY.replace(/[.]/g, "\\.")}`));
    const ms = (label: string): number =>
      Number(new RegExp(`${label}: ([\\d.]+) ms`).exec(out)?.[1]);
    const firstAudio = ms("first token -> first audio frame");
    const lastToken = ms("last token");
    t.diagnostic(
      `first token -> first audio frame: ${firstAudio} ms (last token at ${lastToken} ms)`,
    );
    // The first sentence is spoken while the second is still being generated.
    assert.ok(
      firstAudio < lastToken,
      `first audio at ${firstAudio} ms, last token at ${lastToken} ms`,
    );
  },
);
