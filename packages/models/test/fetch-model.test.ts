import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { access, mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tempDir } from "named-pipe-tools-testkit";
import type { ModelError, ModelSpec, Progress } from "../src/index.js";
import { cachedModels, fetchModel, modelCacheDir, resolveModel } from "../src/index.js";
import { startFileServer } from "./file-server.js";

const run = promisify(execFile);

function sha256(b: Buffer): string {
  return createHash("sha256").update(b).digest("hex");
}

function fileSpec(url: string, body: Buffer, extra: Partial<ModelSpec> = {}): ModelSpec {
  return {
    name: "tiny-model",
    description: "a test model",
    url,
    size: body.length,
    kind: "file",
    digest: { algorithm: "sha256", hex: sha256(body) },
    ...extra,
  };
}

test("fetches once with progress and its checksum, then serves the cached copy", async (t) => {
  const cacheDir = await tempDir(t);
  const http = await startFileServer(t);
  const body = randomBytes(300_000);
  http.put("/m/tiny.bin", body);
  const spec = fileSpec(`${http.base}/m/tiny.bin`, body);
  const progress: Progress[] = [];
  const file = await fetchModel(spec, { cacheDir, onProgress: (p) => progress.push(p) });
  assert.equal(file, path.join(cacheDir, "tiny-model", "tiny.bin"));
  assert.deepEqual(await readFile(file), body);
  assert.ok(progress.length >= 1);
  assert.ok(progress.every((p, i) => i === 0 || p.received >= (progress[i - 1]?.received ?? 0)));
  assert.deepEqual(progress.at(-1), {
    ...progress.at(-1),
    received: body.length,
    total: body.length,
  });
  assert.deepEqual(await cachedModels(cacheDir), ["tiny-model"]);
  // No partial files are left, and a second fetch does not ask the server.
  assert.deepEqual((await readdir(cacheDir)).sort(), ["tiny-model"]);
  assert.equal(await fetchModel(spec, { cacheDir, onProgress: null }), file);
  assert.equal(http.requests.length, 1);
});

test("a checksum mismatch removes the download and says so", async (t) => {
  const cacheDir = await tempDir(t);
  const http = await startFileServer(t);
  const body = randomBytes(10_000);
  http.put("/x.bin", body);
  const spec = fileSpec(`${http.base}/x.bin`, body, {
    digest: { algorithm: "sha256", hex: sha256(Buffer.from("something else")) },
  });
  await assert.rejects(fetchModel(spec, { cacheDir, onProgress: null }), (err: ModelError) => {
    assert.equal(err.code, "ECHECKSUM");
    assert.match(err.message, /does not match its sha256 checksum .*the download was removed/);
    return true;
  });
  assert.deepEqual(await readdir(cacheDir), []);
});

test("an interrupted download resumes with a Range request where it stopped", async (t) => {
  const cacheDir = await tempDir(t);
  const http = await startFileServer(t);
  const body = randomBytes(200_000);
  http.put("/big.bin", body);
  http.breakAfter("/big.bin", 50_000);
  const spec = fileSpec(`${http.base}/big.bin`, body);
  const cut = (p: Progress): void => {
    if (p.received >= 50_000) http.drop(); // the client has written them: break off now
  };
  await assert.rejects(fetchModel(spec, { cacheDir, onProgress: cut }), (err: ModelError) => {
    assert.equal(err.code, "EDOWNLOAD");
    assert.match(err.message, /run again to resume it/);
    return true;
  });
  const progress: Progress[] = [];
  const file = await fetchModel(spec, { cacheDir, onProgress: (p) => progress.push(p) });
  assert.deepEqual(await readFile(file), body);
  const second = http.requests[1];
  assert.match(second?.range ?? "", /^bytes=\d+-$/);
  const from = Number(/\d+/.exec(second?.range ?? "")?.[0]);
  assert.equal(from, 50_000);
  assert.equal(second?.ifRange, '"v1"');
  assert.ok((progress[0]?.received ?? 0) > from, "progress counts the resumed bytes");
});

test("a partial download of a file that changed on the server starts over", async (t) => {
  const cacheDir = await tempDir(t);
  const http = await startFileServer(t);
  const old = randomBytes(100_000);
  http.put("/m.bin", old);
  http.breakAfter("/m.bin", 30_000);
  const fresh = randomBytes(120_000);
  const cut = (p: Progress): void => {
    if (p.received >= 30_000) http.drop();
  };
  await assert.rejects(
    fetchModel(fileSpec(`${http.base}/m.bin`, fresh), { cacheDir, onProgress: cut }),
    { code: "EDOWNLOAD" },
  );
  http.put("/m.bin", fresh); // new ETag: If-Range no longer matches, the server sends it whole
  const file = await fetchModel(fileSpec(`${http.base}/m.bin`, fresh), {
    cacheDir,
    onProgress: null,
  });
  assert.deepEqual(await readFile(file), fresh);
  assert.equal(http.requests[1]?.ifRange, '"v1"');
});

test("offline: the error names the host and the manual download command", async (t) => {
  const cacheDir = await tempDir(t);
  const body = Buffer.from("x");
  // A port that was just free: nothing listens there, the connection is refused at once.
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  const spec = fileSpec(`http://127.0.0.1:${port}/models/tiny.bin`, body);
  await assert.rejects(fetchModel(spec, { cacheDir, onProgress: null }), (err: ModelError) => {
    assert.equal(err.code, "EOFFLINE");
    assert.match(err.message, /unreachable \(ECONNREFUSED\); this machine looks offline/);
    assert.match(
      err.message,
      /curl -L -C - -o '.*tiny-model\.part' 'http:\/\/127\.0\.0\.1:\d+\/models\/tiny\.bin'/,
    );
    assert.match(err.message, /sha256sum -c/);
    assert.match(err.message, /or download it anywhere and pass its path/);
    return true;
  });
});

test("offline before the download: asking the host for the checksum fails the same way", async (t) => {
  const cacheDir = await tempDir(t);
  const spec: ModelSpec = {
    name: "voice",
    description: "",
    url: "https://github.com/o/r/releases/download/tag/voice.tar.bz2",
    size: 1,
    kind: "tar.bz2",
  };
  const offline = (async () => {
    throw new TypeError("fetch failed", { cause: { code: "EAI_AGAIN" } });
  }) as typeof fetch;
  await assert.rejects(
    fetchModel(spec, { cacheDir, onProgress: null, hosts: { fetch: offline } }),
    (err: ModelError) => {
      assert.equal(err.code, "EOFFLINE");
      assert.match(
        err.message,
        /cannot ask github\.com for the checksum .*\(EAI_AGAIN\); this machine looks offline/,
      );
      assert.match(
        err.message,
        /curl -L -C - -o '.*voice\.part' 'https:\/\/github\.com\/o\/r\/releases/,
      );
      return true;
    },
  );
});

test("no pinned or published checksum: not fetched automatically", async (t) => {
  const cacheDir = await tempDir(t);
  const http = await startFileServer(t);
  http.put("/n.bin", Buffer.from("abc"));
  const spec: ModelSpec = { ...fileSpec(`${http.base}/n.bin`, Buffer.from("abc")) };
  delete spec.digest;
  await assert.rejects(fetchModel(spec, { cacheDir, onProgress: null }), /no checksum is known/);
  assert.equal(http.requests.length, 0);
});

test("a .tar.bz2 archive is unpacked into the model's directory", async (t) => {
  const work = await tempDir(t);
  const src = path.join(work, "voice-x");
  await mkdir(src);
  await writeFile(path.join(src, "model.onnx"), "onnx");
  await writeFile(path.join(src, "tokens.txt"), "a 0\n");
  await run("tar", ["-cjf", path.join(work, "voice-x.tar.bz2"), "-C", work, "voice-x"]);
  const body = await readFile(path.join(work, "voice-x.tar.bz2"));
  const http = await startFileServer(t);
  http.put("/voice-x.tar.bz2", body);
  const cacheDir = path.join(work, "cache");
  const spec = fileSpec(`${http.base}/voice-x.tar.bz2`, body, {
    name: "voice-x",
    kind: "tar.bz2",
    requires: ["model.onnx", "tokens.txt"],
  });
  const dir = await fetchModel(spec, { cacheDir, onProgress: null });
  assert.equal(dir, path.join(cacheDir, "voice-x"));
  assert.equal(await readFile(path.join(dir, "tokens.txt"), "utf8"), "a 0\n");
  await assert.rejects(
    fetchModel(
      { ...spec, name: "voice-y", requires: ["voices.bin"] },
      { cacheDir, onProgress: null },
    ),
    /the voice-y archive has no voices\.bin/,
  );
});

test("two fetches of one model at once download it once", async (t) => {
  const cacheDir = await tempDir(t);
  const http = await startFileServer(t);
  const body = randomBytes(100_000);
  http.put("/m.bin", body);
  const spec = fileSpec(`${http.base}/m.bin`, body);
  const [a, b] = await Promise.all([
    fetchModel(spec, { cacheDir, onProgress: null }),
    fetchModel(spec, { cacheDir, onProgress: null }),
  ]);
  assert.equal(a, b);
  assert.equal(http.requests.length, 1);
  // A lock left by a process that died is taken over.
  await writeFile(path.join(cacheDir, "other.lock"), "999999999");
  const other = await fetchModel({ ...spec, name: "other" }, { cacheDir, onProgress: null });
  await access(other);
});

test("resolveModel: a path as it is, a name from the catalog, else the known names", async (t) => {
  const dir = await tempDir(t);
  const local = path.join(dir, "mine.bin");
  await writeFile(local, "m");
  const http = await startFileServer(t);
  http.put("/c.bin", Buffer.from("cat"));
  const catalog = [fileSpec(`${http.base}/c.bin`, Buffer.from("cat"), { name: "cat-model" })];
  assert.equal(await resolveModel(local, catalog), local);
  const fetched = await resolveModel("cat-model", catalog, { cacheDir: dir, onProgress: null });
  assert.equal(await readFile(fetched, "utf8"), "cat");
  await assert.rejects(resolveModel("dog-model", catalog), (err: ModelError) => {
    assert.equal(err.code, "EUNKNOWNMODEL");
    assert.match(err.message, /unknown model 'dog-model' \(known: cat-model; or give a path\)/);
    return true;
  });
  await assert.rejects(resolveModel("./nope.bin", catalog), /model '\.\/nope\.bin' does not exist/);
});

test("the cache lives under XDG_CACHE_HOME, else ~/.cache", () => {
  assert.equal(modelCacheDir({ XDG_CACHE_HOME: "/c" }), "/c/named-pipe-tools/models");
  assert.equal(modelCacheDir({ HOME: "/h" }), "/h/.cache/named-pipe-tools/models");
  assert.equal(
    modelCacheDir({ HOME: "/h", XDG_CACHE_HOME: "relative" }),
    "/h/.cache/named-pipe-tools/models",
  );
});
