import assert from "node:assert/strict";
import { test } from "node:test";
import { FragmentAssembler, fragmentLine } from "../../src/framing/fragments.js";

const limits = { maxMessageBytes: 1 << 20, maxPending: 4, staleMs: 1000 };

function feed(asm: FragmentAssembler, key: string, pieces: Buffer[]) {
  let last;
  for (const p of pieces) last = asm.add(key, JSON.parse(p.toString()) as Record<string, unknown>);
  return last;
}

test("a line that fits one atomic write is sent unchanged", () => {
  const pieces = fragmentLine('{"pid":1,"cmd":"ping"}', { pid: 1 }, "1", 4096);
  assert.deepEqual(pieces.map(String), ['{"pid":1,"cmd":"ping"}\n']);
});

test("a long line becomes fragments of at most maxWrite bytes that reassemble exactly", () => {
  const line = JSON.stringify({ pid: 5, cmd: "echo", data: "é€".repeat(20_000) + '\n"x' });
  const pieces = fragmentLine(line, { pid: 5, client: "cabc" }, "9", 4096);
  assert.ok(pieces.length > 10);
  for (const p of pieces) {
    assert.ok(p.length <= 4096, `piece of ${p.length} bytes`);
    assert.equal(p.indexOf(0x0a), p.length - 1, "exactly one newline, at the end");
    const msg = JSON.parse(p.toString()) as Record<string, unknown>;
    assert.equal(msg["pid"], 5);
    assert.equal(msg["client"], "cabc");
  }
  const asm = new FragmentAssembler(limits);
  const result = feed(asm, "5-cabc", pieces);
  assert.deepEqual(result, { kind: "complete", line });
  assert.equal(asm.pending, 0);
});

test("fragments of different senders interleave safely", () => {
  const a = fragmentLine(JSON.stringify({ d: "a".repeat(10_000) }), { pid: 1 }, "1", 512);
  const b = fragmentLine(JSON.stringify({ d: "b".repeat(10_000) }), { pid: 2 }, "1", 512);
  const asm = new FragmentAssembler(limits);
  const done: string[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    for (const [key, list] of [
      ["1", a],
      ["2", b],
    ] as const) {
      const p = list[i];
      if (p === undefined) continue;
      const r = asm.add(key, JSON.parse(p.toString()) as Record<string, unknown>);
      if (r.kind === "complete") done.push(r.line);
    }
  }
  assert.equal(done.length, 2);
  assert.ok(done.some((l) => l.includes("aaaa")) && done.some((l) => l.includes("bbbb")));
});

test("out-of-order, oversized and too-many fragments are refused", () => {
  const asm = new FragmentAssembler({ ...limits, maxMessageBytes: 100 });
  assert.equal(asm.add("1", { frag: "x", seq: 1, fin: false, b64: "" }).kind, "error");
  const r = asm.add("1", {
    frag: "y",
    seq: 0,
    fin: false,
    b64: Buffer.alloc(200).toString("base64"),
  });
  assert.equal(r.kind, "error");
  assert.match((r as { error: Error }).error.message, /exceeds the limit/);
  for (let i = 0; i < 4; i++)
    assert.equal(asm.add("1", { frag: `p${i}`, seq: 0, fin: false, b64: "" }).kind, "partial");
  assert.equal(asm.add("1", { frag: "p5", seq: 0, fin: false, b64: "" }).kind, "error");
  assert.equal(asm.add("1", { frag: "q", seq: "0", fin: false, b64: "" }).kind, "error");
});

test("after a refusal, the rest of that message's fragments are skipped silently", () => {
  const asm = new FragmentAssembler({ ...limits, maxMessageBytes: 10 });
  const big = Buffer.alloc(20).toString("base64");
  assert.equal(asm.add("1", { frag: "m", seq: 0, fin: false, b64: big }).kind, "error");
  assert.equal(asm.add("1", { frag: "m", seq: 1, fin: false, b64: big }).kind, "partial");
  assert.equal(asm.add("1", { frag: "m", seq: 2, fin: true, b64: big }).kind, "partial");
  assert.equal(asm.add("1", { frag: "m", seq: 0, fin: true, b64: "" }).kind, "complete");
});

test("stale and departed senders' fragments are dropped", () => {
  const asm = new FragmentAssembler(limits);
  asm.add("1", { frag: "a", seq: 0, fin: false, b64: "" }, 0);
  asm.add("2", { frag: "a", seq: 0, fin: false, b64: "" }, 0);
  asm.dropSender("1");
  assert.equal(asm.pending, 1);
  asm.sweep(5000);
  assert.equal(asm.pending, 0);
});
