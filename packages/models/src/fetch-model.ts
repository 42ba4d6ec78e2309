/**
 * Fetching a model by name on first use: download (resumable) into the cache, verify its
 * checksum, unpack archives, and mark it complete; later calls return the cached copy at once.
 * One process downloads a model at a time (a lock file); the others wait for it.
 *
 * Cache layout: `<cache>/<name>/` holds the model (the file, or the archive's contents) and
 * `.complete`; `<cache>/<name>.part` is a download in progress.
 */
import { access, mkdir, open, readFile, readdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { modelCacheDir } from "./cache.js";
import { hashFile, publishedDigest } from "./digest.js";
import type { DigestHosts } from "./digest.js";
import { download } from "./download.js";
import { ModelError } from "./errors.js";
import { extractTarBz2 } from "./extract.js";
import type { Progress } from "./progress.js";
import { printProgress } from "./progress.js";
import type { Digest, ModelSpec } from "./spec.js";
import { formatSize } from "./spec.js";

/** Settings of {@link fetchModel}. */
export interface FetchOptions {
  /** The cache directory [{@link modelCacheDir}]. */
  cacheDir?: string;
  /** Progress reports [a line on stderr]; null: none. */
  onProgress?: ((p: Progress) => void) | null;
  /** Aborts the download (the partial file stays, to resume later). */
  signal?: AbortSignal;
  /** The fetch to use, and where the digest hosts are (tests). */
  hosts?: DigestHosts;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const LOCK_POLL_MS = 500;

/** Where `spec` is (or will be) in the cache: its directory and the model path inside it. */
export function cachedPath(spec: ModelSpec, cacheDir = modelCacheDir()): string {
  const dir = path.join(cacheDir, spec.name);
  return spec.kind === "file" ? path.join(dir, fileNameOf(spec)) : dir;
}

/**
 * The local path of `spec` (a file, or a directory for archives), downloading it first when
 * it is not in the cache.
 * @throws ModelError `EOFFLINE` (with the manual download command), `EDOWNLOAD`,
 *   `ECHECKSUM`, `EEXTRACT`
 */
export async function fetchModel(spec: ModelSpec, o: FetchOptions = {}): Promise<string> {
  if (!NAME.test(spec.name)) {
    throw new ModelError("EINVAL", `model name must be a plain file name, got '${spec.name}'`);
  }
  const cache = o.cacheDir ?? modelCacheDir();
  const dir = path.join(cache, spec.name);
  const result = cachedPath(spec, cache);
  if (await isComplete(dir)) return result;
  await mkdir(cache, { recursive: true, mode: 0o700 });
  const unlock = await lock(path.join(cache, `${spec.name}.lock`), o.signal);
  try {
    if (await isComplete(dir)) return result; // another process fetched it meanwhile
    await fetchLocked(spec, cache, dir, o);
    return result;
  } finally {
    await unlock();
  }
}

async function fetchLocked(spec: ModelSpec, cache: string, dir: string, o: FetchOptions) {
  const part = path.join(cache, `${spec.name}.part`);
  const manual = manualCommand(spec, part, dir);
  let digest = spec.digest;
  if (digest === undefined) {
    try {
      digest = await publishedDigest(spec.url, o.hosts ?? {});
    } catch (err) {
      throw new ModelError(
        "EOFFLINE",
        `cannot download ${spec.name}: ${(err as Error).message} ${manual}`,
        {
          cause: err,
        },
      );
    }
  }
  if (digest === undefined) {
    throw new ModelError(
      "ECHECKSUM",
      `no checksum is known for ${spec.name} (${spec.url} publishes none), so it is not fetched automatically. ${manual}`,
    );
  }
  const report = o.onProgress === null ? undefined : (o.onProgress ?? printProgress());
  const get = {
    name: spec.name,
    manual,
    ...(report ? { onProgress: report } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.hosts?.fetch ? { fetch: o.hosts.fetch } : {}),
  };
  const resumed = await download(spec.url, part, get);
  if (!(await matches(part, digest))) {
    await rm(part, { force: true });
    await rm(`${part}.json`, { force: true });
    // A resumed download may have joined two different files: start over once.
    let fixed = false;
    if (resumed > 0) {
      await download(spec.url, part, get);
      fixed = await matches(part, digest);
    }
    if (!fixed) {
      await rm(part, { force: true });
      throw new ModelError(
        "ECHECKSUM",
        `${spec.name} does not match its ${digest.algorithm} checksum ${digest.hex}; the download was removed. Run again to retry, or: ${manual}`,
      );
    }
  }
  await install(spec, part, cache, dir, digest);
}

async function matches(file: string, d: Digest): Promise<boolean> {
  return (await hashFile(file, d.algorithm)) === d.hex;
}

/** Moves a verified download into place (unpacking archives) and marks it complete. */
async function install(spec: ModelSpec, part: string, cache: string, dir: string, d: Digest) {
  const staging = path.join(cache, `${spec.name}.tmp-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  let root = staging;
  if (spec.kind === "file") {
    await mkdir(staging, { mode: 0o700 });
    await rename(part, path.join(staging, fileNameOf(spec)));
  } else {
    root = await extractTarBz2(part, staging);
    for (const file of spec.requires ?? []) {
      if (!(await exists(path.join(root, file)))) {
        await rm(staging, { recursive: true, force: true });
        throw new ModelError("EEXTRACT", `the ${spec.name} archive has no ${file}`);
      }
    }
  }
  await writeMarker(path.join(root, ".complete"), spec, d);
  await rm(dir, { recursive: true, force: true });
  await rename(root, dir);
  await rm(staging, { recursive: true, force: true });
  await rm(part, { force: true });
  await rm(`${part}.json`, { force: true });
}

async function writeMarker(file: string, spec: ModelSpec, d: Digest): Promise<void> {
  const fh = await open(file, "w", 0o600);
  await fh.writeFile(JSON.stringify({ url: spec.url, [d.algorithm]: d.hex }) + "\n");
  await fh.close();
}

async function isComplete(dir: string): Promise<boolean> {
  return exists(path.join(dir, ".complete"));
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

function fileNameOf(spec: ModelSpec): string {
  return decodeURIComponent(new URL(spec.url).pathname.split("/").at(-1) ?? spec.name);
}

/** The commands that fetch `spec` by hand, for errors. */
export function manualCommand(spec: ModelSpec, part = "FILE", dir = "DIR"): string {
  const check = spec.digest
    ? ` && echo '${spec.digest.hex}  ${part}' | ${spec.digest.algorithm}sum -c`
    : "";
  const place =
    spec.kind === "file"
      ? `mkdir -p '${dir}' && mv '${part}' '${path.join(dir, fileNameOf(spec))}'`
      : `mkdir -p '${dir}' && tar -xjf '${part}' -C '${dir}' --strip-components=1`;
  return `To fetch it by hand (${formatSize(spec.size)}): curl -L -C - -o '${part}' '${spec.url}'${check} && ${place} && touch '${dir}/.complete'; or download it anywhere and pass its path instead of the name.`;
}

/** Takes the lock file (waiting while a live process holds it); returns the release. */
async function lock(file: string, signal?: AbortSignal): Promise<() => Promise<void>> {
  for (;;) {
    signal?.throwIfAborted();
    try {
      const fh = await open(file, "wx", 0o600);
      await fh.writeFile(String(process.pid));
      await fh.close();
      return () => rm(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const text = await readFile(file, "utf8").catch(() => "");
    // An empty file is a lock being taken right now (its pid not yet written), unless old.
    const taking = text === "" && Date.now() - (await mtimeMs(file)) < 10_000;
    if (!taking && !alive(Number(text))) {
      await rm(file, { force: true }); // left by a process that died mid-download
      continue;
    }
    await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
  }
}

async function mtimeMs(file: string): Promise<number> {
  return stat(file).then(
    (s) => s.mtimeMs,
    () => 0,
  );
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Lists the models in the cache that are complete. */
export async function cachedModels(cacheDir = modelCacheDir()): Promise<string[]> {
  const names = await readdir(cacheDir).catch(() => [] as string[]);
  const done = await Promise.all(
    names.map(async (n) => ((await isComplete(path.join(cacheDir, n))) ? n : undefined)),
  );
  return done.filter((n): n is string => n !== undefined);
}
