import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { setImmediate as yieldToLoop } from "node:timers/promises";
import { test } from "node:test";
import { ToolClient, ToolServer } from "../../src/index.js";
import { createFifo } from "../../src/transport/fifo.js";
import { tempDir, until } from "named-pipe-tools-testkit";

test(
  "a client that stops reading is dropped with a clear reason; the server and other clients carry on",
  { timeout: 30_000 },
  async (t) => {
    const dir = await tempDir(t);
    const logs: string[] = [];
    const limit = 512 * 1024;
    const server = new ToolServer({
      name: "flood",
      dir,
      log: (l) => logs.push(l),
      handleSignals: false,
      // One message may always wait on top of the queue limit: keep it small here.
      limits: { maxQueuedBytesPerClient: limit, maxMessageBytes: 64 * 1024 },
    });
    const blob = "x".repeat(16 * 1024);
    server.handler("flood", async (args) => {
      for (let i = 0; i < Number(args["n"]); i++) {
        server.broadcast("blob", { i, data: blob });
        await yieldToLoop(); // a producer that lets readers keep up
      }
    });
    await server.listen();
    t.after(() => server.close());

    await using good = await ToolClient.connect("flood", { dir });
    let received = 0;
    good.on("blob", (m) => {
      assert.equal(m["i"], received);
      received++;
    });

    // The stuck client: subscribes, holds its downstream open for reading, and never reads.
    const token = "cdeadbeef";
    const down = path.join(dir, `tool-flood-${process.pid}-${token}`);
    await createFifo(down);
    const stuck = fs.openSync(down, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    t.after(() => fs.closeSync(stuck));
    fs.appendFileSync(
      path.join(dir, "tool-flood"),
      JSON.stringify({ pid: process.pid, client: token, cmd: "subscribe" }) + "\n",
    );
    await until(() => server.subscribers.length === 2, 5000, "stuck client subscribed");

    const before = process.memoryUsage().rss;
    const n = 400; // 6.4 MiB in all, far past the stuck client's pipe (64 KiB) plus its 512 KiB queue
    await good.call("flood", { n }, { timeoutMs: 20_000 });
    await until(() => received === n, 10_000, "every blob at the good client");
    assert.equal(server.subscribers.length, 1, "the stuck client was dropped");
    assert.equal(server.subscribers[0]?.client, good.clientToken);
    assert.ok(
      logs.some(
        (l) => l.includes(`dropping client ${process.pid}-${token}`) && /not keeping up/.test(l),
      ),
      logs.join("\n"),
    );
    // Memory did not grow by anything like the 6.4 MiB the stuck client was owed.
    assert.ok(process.memoryUsage().rss - before < 64 * 1024 * 1024);
    assert.equal((await good.call("ping")).event, "pong");
  },
);
