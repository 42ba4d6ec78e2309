/**
 * A remote consumer that stops reading never stalls the local tool: the gateway reads the
 * tool's pipe at its own pace and publishes; NATS cuts the slow consumer off. The tool keeps
 * answering local and remote callers, and a healthy remote listener gets every broadcast.
 */
import assert from "node:assert/strict";
import net from "node:net";
import { test } from "node:test";
import { ToolClient } from "named-pipe-tools";
import { serveDemo, waitForOutput } from "named-pipe-tools-testkit";
import { NatsToolClient } from "named-pipe-tools-nats";
import { exportFrom, machine, startNats } from "./helpers.js";

/** A raw NATS client that subscribes to `subject` and then never reads its socket again. */
async function stuckSubscriber(port: number, subject: string): Promise<net.Socket> {
  const socket = net.connect(port, "127.0.0.1");
  let seen = "";
  await new Promise<void>((resolve, reject) => {
    socket.on("error", reject);
    socket.on("data", (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.startsWith("INFO") && !seen.includes("SUB-SENT")) {
        seen += "SUB-SENT";
        socket.write(`CONNECT {"verbose":false,"pedantic":false}\r\nSUB ${subject} 1\r\nPING\r\n`);
      }
      if (seen.includes("PONG")) {
        socket.removeAllListeners("data");
        socket.pause(); // from now on, never read
        resolve();
      }
    });
  });
  socket.on("error", () => undefined); // the server will cut it off
  return socket;
}

test("a remote consumer that stops reading never stalls the tool", async (t) => {
  const nats = await startNats(t, {
    config: 'max_payload: 65536\nmax_pending: 262144\nwrite_deadline: "1s"\n',
  });
  const host = await machine(t);
  await serveDemo(t, { dir: host.dir });
  await exportFrom(t, host, nats.url, { tools: ["demo"] });
  const stuck = await stuckSubscriber(nats.port, "npt.events.demo.>");
  t.after(() => stuck.destroy());

  const listener = await NatsToolClient.connect(`${nats.url}/demo`);
  t.after(() => listener.close());
  const got: number[] = [];
  const all = new Promise<void>((resolve) =>
    listener.on("shout", (msg) => {
      got.push((msg["data"] as { i: number }).i);
      if (got.length === 400) resolve();
    }),
  );
  const local = await ToolClient.connect("demo", { dir: host.dir });
  t.after(() => local.close());
  const pad = "x".repeat(16 * 1024);
  // 400 broadcasts of 16 KiB (6.4 MB) through the gateway, while the stuck consumer reads nothing.
  for (let i = 0; i < 400; i++)
    await local.call("shout", { data: { i, pad } }, { timeoutMs: 10_000 });
  await all;
  assert.deepEqual(
    got,
    Array.from({ length: 400 }, (_, i) => i),
    "every broadcast, in order",
  );
  await waitForOutput(nats.proc, (_o, err) => /Slow Consumer/i.test(err), 15_000);
  assert.equal((await local.call("ping")).event, "pong");
  assert.equal((await listener.call("ping")).event, "pong");
});
