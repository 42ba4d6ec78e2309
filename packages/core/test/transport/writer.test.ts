/**
 * PipeWriter on a real FIFO: direct writes while the pipe has room, the socket path when it is
 * full (in order, never blocking), limits in bytes and messages, backpressure and stall time.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import type { TestContext } from "node:test";
import { test } from "node:test";
import { setImmediate as yieldToLoop } from "node:timers/promises";
import { createFifo, openFifo } from "../../src/transport/fifo.js";
import { PipeWriter } from "../../src/transport/writer.js";
import type { PipeWriterOptions } from "../../src/transport/writer.js";
import { tempDir, until } from "named-pipe-tools-testkit";

/** A FIFO with a non-blocking reader (read by hand) and a writer on it. */
async function pipe(t: TestContext, options: PipeWriterOptions = {}) {
  const file = path.join(await tempDir(t), "p");
  await createFifo(file);
  const reader = await openFifo(file, "read");
  t.after(() => fs.closeSync(reader));
  const errors: Error[] = [];
  const writer = new PipeWriter(await openFifo(file, "write"), {
    ...options,
    onError: (err) => errors.push(err),
  });
  t.after(() => writer.close({ flush: false }));
  const buf = Buffer.alloc(1 << 20);
  const read = (): Buffer => {
    try {
      return Buffer.from(buf.subarray(0, fs.readSync(reader, buf)));
    } catch {
      return Buffer.alloc(0);
    }
  };
  return { writer, read, errors };
}

test("a write the pipe can take leaves at the end of the tick, gathered with the others", async (t) => {
  const { writer, read } = await pipe(t);
  writer.write("a\n");
  writer.write(Buffer.from("b\n"));
  writer.write(["c", "\n"]);
  assert.equal(writer.queuedBytes, 6, "nothing written before the tick ends");
  await yieldToLoop();
  assert.equal(writer.queuedBytes, 0);
  assert.equal(read().toString(), "a\nb\nc\n");
});

test("more than a full pipe is finished by the socket, in order, and never blocks", async (t) => {
  const { writer, read } = await pipe(t);
  const chunks = Array.from({ length: 40 }, (_, i) =>
    String.fromCharCode(65 + (i % 26)).repeat(10_000),
  );
  const started = performance.now();
  for (const c of chunks) writer.write(c);
  assert.ok(performance.now() - started < 500, "write() returned without waiting for the reader");
  assert.ok(writer.queuedBytes > 0);
  assert.ok(writer.full, "more than the high-water mark waits");
  let got = "";
  await until(
    () => {
      got += read().toString();
      return got.length === 400_000;
    },
    5000,
    "everything read",
  );
  assert.equal(got, chunks.join(""));
  await writer.drained();
  assert.equal(writer.queuedBytes, 0);
});

test("past maxQueuedBytes a write throws (overflow: throw) and the writer stays usable", async (t) => {
  const { writer, read } = await pipe(t, { maxQueuedBytes: 100_000, overflow: "throw" });
  writer.write("x".repeat(90_000)); // 64 KiB go to the pipe, the rest waits
  assert.throws(
    () => writer.write("y".repeat(90_000)),
    (err: Error & { code?: string }) => err.code === "ETOOBIG",
  );
  let got = 0;
  await until(() => (got += read().length) === 90_000, 5000, "the first write read");
  await until(() => writer.queuedBytes === 0, 5000, "drained");
  assert.equal(writer.write("z\n"), true);
});

test("past maxQueuedMessages the writer fails and reports why", async (t) => {
  const { writer, errors } = await pipe(t, { maxQueuedMessages: 10 });
  writer.write("f".repeat(70_000)); // fills the pipe: later messages wait
  await yieldToLoop();
  let accepted = 0;
  while (writer.write("m\n")) accepted++;
  assert.ok(accepted < 10, `accepted ${accepted}`);
  assert.equal(writer.dead, true);
  assert.match(errors[0]!.message, /more than 10 messages/);
});

test("stalledMs counts how long waiting bytes have not moved", async (t) => {
  const { writer, read } = await pipe(t);
  assert.equal(writer.stalledMs(), 0);
  writer.write("s".repeat(100_000));
  await until(() => writer.stalledMs() >= 30, 2000, "a stall");
  let got = 0;
  await until(() => (got += read().length) === 100_000, 5000, "read");
  await until(() => writer.stalledMs() === 0, 2000, "no stall once drained");
});

test("an atomic writer refuses a piece over PIPE_BUF and keeps whole pieces per write", async (t) => {
  const { writer, read } = await pipe(t, { atomic: true });
  assert.throws(() => writer.write(Buffer.alloc(5000)), RangeError);
  const pieces = Array.from({ length: 10 }, (_, i) => Buffer.alloc(1000, 48 + i));
  writer.write(pieces);
  await yieldToLoop();
  assert.equal(read().length, 10_000);
});

test("close flushes what waits, and a closed writer refuses writes", async (t) => {
  const { writer, read } = await pipe(t);
  writer.write("last words\n");
  await writer.close();
  assert.equal(read().toString(), "last words\n");
  assert.equal(writer.write("more"), false);
});
