import assert from "node:assert/strict";
import { test } from "node:test";
import { ReplyPrinter, formatBroadcast, formatReply, formatValue } from "../../src/cli/output.js";

test("formatReply: event name, single value, or the fields as JSON", () => {
  assert.equal(formatReply({ event: "pong", id: 3 }), "pong");
  assert.equal(formatReply({ event: "state", state: "idle", id: 1 }), "idle");
  assert.equal(formatReply({ event: "echo", data: { a: [1, 2] } }), '{"a":[1,2]}');
  assert.equal(formatReply({ event: "slept", ms: 5 }), "5");
  assert.equal(formatReply({ event: "x", a: 1, b: "two" }), '{"a":1,"b":"two"}');
  assert.equal(formatReply({ event: "echo", data: null }), "null");
  const long = { event: "echo", data: { text: "y".repeat(120) } };
  assert.equal(formatReply(long), `{\n  "text": "${"y".repeat(120)}"\n}`);
  assert.equal(formatValue("multi\nline"), "multi\nline");
  assert.equal(formatBroadcast({ event: "stopping" }), "stopping");
  assert.equal(formatBroadcast({ event: "state_changed", state: "busy" }), "state_changed: busy");
});

test("ReplyPrinter: streamed text inline, one newline at the end, other items on their own lines", () => {
  let out = "";
  const p = new ReplyPrinter({ jsonl: false, write: (s) => (out += s) });
  p.item({ event: "token", text: "Hel", done: false });
  p.item({ event: "token", text: "lo", done: false });
  p.item({ event: "progress", pct: 50, done: false });
  p.item({ event: "token", text: "!", done: false });
  p.final({ event: "token", text: "", done: true, count: 3 });
  assert.equal(out, "Hello\nprogress: 50\n!\n");

  out = "";
  const q = new ReplyPrinter({ jsonl: false, write: (s) => (out += s) });
  q.item({ event: "token", text: "line\n", done: false });
  q.final({ event: "token", text: "", done: true });
  assert.equal(out, "line\n", "no blank line after text that ends with a newline");

  out = "";
  const j = new ReplyPrinter({ jsonl: true, write: (s) => (out += s) });
  j.item({ event: "token", text: "a", done: false, id: 1 });
  j.final({ event: "token", text: "", done: true, id: 1 });
  assert.equal(
    out,
    '{"event":"token","text":"a","done":false,"id":1}\n{"event":"token","text":"","done":true,"id":1}\n',
  );
});
