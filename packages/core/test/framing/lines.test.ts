import assert from "node:assert/strict";
import { test } from "node:test";
import { LineDecoder, encodeLine } from "../../src/framing/lines.js";

function collect(maxLineBytes = 1024) {
  const lines: string[] = [];
  const oversize: { bytes: number; head: string }[] = [];
  const decoder = new LineDecoder({
    maxLineBytes,
    onLine: (l) => lines.push(l),
    onOversize: (o) => oversize.push(o),
  });
  return { decoder, lines, oversize };
}

test("splits lines across arbitrary chunk boundaries", () => {
  const { decoder, lines } = collect();
  const text = '{"a":1}\n{"b":"x\\ny"}\n{"c":3}\n';
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += 3) decoder.push(bytes.subarray(i, i + 3));
  assert.deepEqual(lines, ['{"a":1}', '{"b":"x\\ny"}', '{"c":3}']);
  assert.equal(decoder.buffered, 0);
});

test("keeps a partial line until its newline arrives", () => {
  const { decoder, lines } = collect();
  decoder.push(Buffer.from('{"a":'));
  assert.deepEqual(lines, []);
  assert.equal(decoder.buffered, 5);
  decoder.push(Buffer.from("1}\n"));
  assert.deepEqual(lines, ['{"a":1}']);
});

test("skips blank lines", () => {
  const { decoder, lines } = collect();
  decoder.push(Buffer.from("\n  \n\r\n{}\n\t\n"));
  assert.deepEqual(lines, ["{}"]);
});

test("decodes multi-byte UTF-8 split between chunks", () => {
  const { decoder, lines } = collect();
  const bytes = Buffer.from('{"t":"héllo wörld €"}\n');
  const cut = bytes.indexOf(0xe2) + 1; // inside the euro sign
  decoder.push(bytes.subarray(0, cut));
  decoder.push(bytes.subarray(cut));
  assert.deepEqual(JSON.parse(lines[0]!), { t: "héllo wörld €" });
});

test("drops an oversized line whole, reports it once, and recovers", () => {
  const { decoder, lines, oversize } = collect(16);
  decoder.push(Buffer.from('{"pid":42,"cmd":"'));
  decoder.push(Buffer.alloc(100, 0x61));
  decoder.push(Buffer.from('"}\n{"ok":1}\n'));
  assert.deepEqual(lines, ['{"ok":1}']);
  assert.equal(oversize.length, 1);
  // Reported as soon as it went over the limit, with the bytes seen by then.
  assert.equal(oversize[0]!.bytes, 17);
  assert.match(oversize[0]!.head, /"pid":42/);
  assert.equal(decoder.buffered, 0);
});

test("drops an oversized line that arrives in one chunk", () => {
  const { decoder, lines, oversize } = collect(8);
  decoder.push(Buffer.from('{"aaaaaaaaaa":1}\n{"b":2}\n'));
  assert.deepEqual(lines, ['{"b":2}']);
  assert.equal(oversize.length, 1);
});

test("rejects a non-positive limit with a TypeError naming the option", () => {
  assert.throws(() => collect(0), /maxLineBytes/);
});

test("encodeLine writes one JSON object and a newline", () => {
  assert.equal(encodeLine({ event: "pong", id: 1 }).toString(), '{"event":"pong","id":1}\n');
});
