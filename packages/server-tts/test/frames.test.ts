import assert from "node:assert/strict";
import { test } from "node:test";
import { FLAG_CANCELLED, FLAG_END, FrameChunker, decodeFrame, encodeFrame } from "../src/frames.js";
import { parseEspeakVoices } from "../src/espeak-engine.js";
import { WavStreamParser, wavHeader } from "../src/wav.js";

test("frames round-trip with their header", () => {
  const pcm = Buffer.from([1, 2, 3, 4]);
  const f = decodeFrame(encodeFrame(7, 3, 22050, pcm, FLAG_END | FLAG_CANCELLED));
  assert.deepEqual(
    { ...f, pcm: [...(f?.pcm ?? [])] },
    {
      speechId: 7,
      seq: 3,
      sampleRate: 22050,
      channels: 1,
      end: true,
      cancelled: true,
      pcm: [1, 2, 3, 4],
    },
  );
  assert.equal(decodeFrame(Buffer.alloc(3)), undefined);
});

test("the chunker cuts any chunk sizes into whole frames and keeps whole samples", () => {
  const c = new FrameChunker(4); // 8 bytes
  const bytes = Buffer.from(Array.from({ length: 21 }, (_, i) => i));
  const frames = [
    ...c.push(bytes.subarray(0, 5)),
    ...c.push(bytes.subarray(5, 13)),
    ...c.push(bytes.subarray(13)),
  ];
  assert.deepEqual(
    frames.map((f) => f.length),
    [8, 8],
  );
  assert.deepEqual([...c.flush()!], [16, 17, 18, 19]); // the odd last byte is dropped
  assert.equal(c.flush(), undefined);
});

test("the WAV stream parser strips a header split across chunks", () => {
  const wav = Buffer.concat([wavHeader(22050, 1, 0x7fffffff - 36), Buffer.from([9, 8, 7, 6])]);
  const p = new WavStreamParser();
  const out = Buffer.concat([
    p.push(wav.subarray(0, 10)),
    p.push(wav.subarray(10, 40)),
    p.push(wav.subarray(40)),
  ]);
  assert.deepEqual([...out], [9, 8, 7, 6]);
  assert.equal(p.format?.sampleRate, 22050);
  assert.throws(() => new WavStreamParser().push(Buffer.from("not a wav file at all")), /RIFF/);
});

test("espeak-ng's voice table is parsed", () => {
  const table = `Pty Language       Age/Gender VoiceName          File                 Other Languages
 5  af              --/M      Afrikaans          gmw/af
 2  en-us           --/F      English_(America)  gmw/en-US            (en 3)`;
  assert.deepEqual(parseEspeakVoices(table), [
    { id: "af", name: "Afrikaans", language: "af", gender: "male" },
    { id: "en-us", name: "English (America)", language: "en-us", gender: "female" },
  ]);
});
