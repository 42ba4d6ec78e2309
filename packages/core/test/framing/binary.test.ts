import assert from "node:assert/strict";
import { test } from "node:test";
import type { BinaryFrame } from "../../src/framing/binary.js";
import {
  BinaryFrameDecoder,
  FRAGMENT_FLAG,
  encodeDownstreamFrame,
  encodeUpstreamFrames,
} from "../../src/framing/binary.js";

function decoder(withSender: boolean, maxFrameBytes = 1 << 20) {
  const frames: BinaryFrame[] = [];
  const errors: string[] = [];
  const d = new BinaryFrameDecoder({
    withSender,
    maxFrameBytes,
    onFrame: (f) => frames.push(f),
    onError: (e) => errors.push(e.message),
  });
  return { d, frames, errors };
}

test("upstream frames round-trip byte by byte, with the reference header layout", () => {
  const payload = Buffer.from("hello");
  const [frame] = encodeUpstreamFrames(1234, payload, 4096);
  assert.deepEqual([...frame!.subarray(0, 8)], [0, 0, 4, 210, 0, 0, 0, 5]);
  const { d, frames } = decoder(true);
  for (const byte of frame!) d.push(Buffer.from([byte]));
  assert.equal(frames.length, 1);
  assert.equal(frames[0]!.sender, 1234);
  assert.equal(frames[0]!.more, false);
  assert.equal(frames[0]!.payload.toString(), "hello");
});

test("large payloads split into fragments that each fit one atomic write", () => {
  const payload = Buffer.alloc(10_000, 7);
  const pieces = encodeUpstreamFrames(9, payload, 4096);
  assert.equal(pieces.length, 3);
  for (const p of pieces) assert.ok(p.length <= 4096);
  const { d, frames } = decoder(true);
  d.push(Buffer.concat(pieces));
  assert.deepEqual(
    frames.map((f) => f.more),
    [true, true, false],
  );
  assert.deepEqual(Buffer.concat(frames.map((f) => f.payload)), payload);
});

test("an empty payload is one frame", () => {
  const pieces = encodeUpstreamFrames(1, Buffer.alloc(0), 4096);
  assert.equal(pieces.length, 1);
  const { d, frames } = decoder(true);
  d.push(pieces[0]!);
  assert.equal(frames[0]!.payload.length, 0);
});

test("downstream frames have a 4-byte length header", () => {
  const frame = encodeDownstreamFrame(Buffer.from([1, 2, 3]));
  assert.deepEqual([...frame], [0, 0, 0, 3, 1, 2, 3]);
  const { d, frames } = decoder(false);
  d.push(frame);
  assert.equal(frames[0]!.sender, undefined);
  assert.deepEqual([...frames[0]!.payload], [1, 2, 3]);
});

test("an absurd length is reported, dropped, and decoding resumes at the next chunk", () => {
  const { d, frames, errors } = decoder(true, 1024);
  const bad = Buffer.alloc(8);
  bad.writeUInt32BE(1, 0);
  bad.writeUInt32BE(0x7fffffff, 4);
  d.push(Buffer.concat([bad, Buffer.alloc(50)]));
  assert.equal(errors.length, 1);
  assert.match(errors[0]!, /exceeds the limit/);
  d.push(encodeUpstreamFrames(2, Buffer.from("ok"), 4096)[0]!);
  assert.equal(frames.length, 1);
  assert.equal(frames[0]!.payload.toString(), "ok");
});

test("the fragment flag is the top bit of the length", () => {
  assert.equal(FRAGMENT_FLAG, 2 ** 31);
});
