import assert from "node:assert/strict";
import { test } from "node:test";
import type { ModelError } from "../src/index.js";
import { importOptional, printProgress, progressLine, publishedDigest } from "../src/index.js";
import { ProtoWriter } from "../src/onnx/protobuf.js";
import { OnnxGraph } from "../src/onnx/writer.js";

const HEX = "a".repeat(64);

test("published digests: GitHub release assets and Hugging Face LFS files", async () => {
  const asked: string[] = [];
  const fake = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = input instanceof Request ? input.url : input.toString();
    asked.push(`${init?.method ?? "GET"} ${url}`);
    if (url.startsWith("http://api.test/repos/k2-fsa/sherpa-onnx/releases/tags/tts-models")) {
      return Response.json({
        assets: [
          { name: "other.tar.bz2", digest: `sha256:${"b".repeat(64)}` },
          { name: "voice.tar.bz2", digest: `sha256:${HEX}` },
          { name: "old.tar.bz2", digest: null },
        ],
      });
    }
    if (url.startsWith("https://huggingface.co/")) {
      return new Response(null, { status: 302, headers: { "x-linked-etag": `"${HEX}"` } });
    }
    return new Response("no", { status: 404 });
  }) as typeof fetch;
  const hosts = { githubApi: "http://api.test", fetch: fake };
  const gh = "https://github.com/k2-fsa/sherpa-onnx/releases/download/tts-models";
  assert.deepEqual(await publishedDigest(`${gh}/voice.tar.bz2`, hosts), {
    algorithm: "sha256",
    hex: HEX,
  });
  assert.equal(await publishedDigest(`${gh}/old.tar.bz2`, hosts), undefined);
  assert.deepEqual(
    await publishedDigest("https://huggingface.co/org/repo/resolve/main/m.bin", hosts),
    { algorithm: "sha256", hex: HEX },
  );
  assert.equal(asked.at(-1), "HEAD https://huggingface.co/org/repo/resolve/main/m.bin");
  assert.equal(await publishedDigest("https://example.com/m.bin", hosts), undefined);
  const failing = (async () => {
    throw new TypeError("fetch failed");
  }) as typeof fetch;
  await assert.rejects(publishedDigest(`${gh}/voice.tar.bz2`, { fetch: failing }), {
    code: "EOFFLINE",
  });
  const broken = (async () => {
    throw new Error("bad JSON");
  }) as typeof fetch;
  assert.equal(await publishedDigest(`${gh}/voice.tar.bz2`, { fetch: broken }), undefined);
});

test("progress: a line every 10% when not on a terminal", () => {
  const lines: string[] = [];
  const out = {
    isTTY: false,
    write: (s: string) => lines.push(s),
  } as unknown as NodeJS.WriteStream;
  const report = printProgress(out);
  for (let received = 0; received <= 1000; received += 25) {
    report({ name: "m", received, total: 1000, rate: 2_000_000 });
  }
  assert.equal(lines.length, 11);
  assert.equal(lines.at(-1), "downloading m: 100% 1 kB of 1 kB, 2 MB/s\n");
  assert.equal(
    progressLine({ name: "x", received: 5_000_000, total: undefined, rate: 1000 }),
    "downloading x: 5 MB, 1 kB/s",
  );
});

test("importOptional: a missing package names the install command", async () => {
  const missing = Object.assign(new Error("Cannot find package 'heavy-binding' imported from x"), {
    code: "ERR_MODULE_NOT_FOUND",
  });
  await assert.rejects(
    importOptional(() => Promise.reject(missing), "heavy-binding", "npm install heavy-binding"),
    (err: ModelError) => {
      assert.equal(err.code, "ENOTINSTALLED");
      assert.equal(
        err.message,
        "this needs the npm package heavy-binding, which is not installed: npm install heavy-binding",
      );
      return true;
    },
  );
  await assert.rejects(
    importOptional(() => Promise.reject(new Error("bad ELF")), "heavy-binding", "npm i x"),
    /heavy-binding is installed but cannot be loaded \(bad ELF\)/,
  );
  const cjs = await importOptional<{ f: number }>(
    async () => ({ default: { f: 1 } }),
    "p",
    "npm i p",
  );
  assert.equal(cjs.f, 1);
});

test("protobuf: varints, negative int64, and nested messages", () => {
  assert.deepEqual([...new ProtoWriter().int(1, 300).bytes()], [0x08, 0xac, 0x02]);
  const neg = new ProtoWriter().int(1, -1).bytes();
  assert.equal(neg.length, 11); // tag + 10-byte two's complement
  assert.deepEqual([...new ProtoWriter().bytesField(2, "hi").bytes()], [0x12, 2, 0x68, 0x69]);
  const inner = new ProtoWriter().int(1, 5);
  assert.deepEqual([...new ProtoWriter().bytesField(3, inner).bytes()], [0x1a, 2, 0x08, 5]);
});

test("ONNX writer: a constant's size must match its dims", () => {
  const g = new OnnxGraph("g");
  g.floats([2, 2], [1, 2, 3]);
  assert.throws(() => g.encode(), /dims 2x2 need 4 values/);
});
