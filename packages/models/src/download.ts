/**
 * One HTTP(S) download into a `.part` file that survives interruptions: a later call resumes
 * it with a Range request when the server still has the same file (If-Range), and starts over
 * when it does not.
 */
import { open, readFile, rm, stat, writeFile } from "node:fs/promises";
import { ModelError } from "./errors.js";
import type { Progress } from "./progress.js";

/** Settings of {@link download}. */
export interface DownloadOptions {
  /** The model's name, for progress and errors. */
  name: string;
  /** What to tell a user who must download by hand (appended to offline errors). */
  manual: string;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
  fetch?: typeof fetch;
}

/** What the `.part.json` sidecar remembers about a partial download. */
interface PartMeta {
  url: string;
  validator?: string;
}

/** Errors from fetch that mean the host could not be reached at all. */
const OFFLINE = new Set([
  "ENOTFOUND",
  "EAI_AGAIN",
  "ECONNREFUSED",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "ETIMEDOUT",
  "ECONNRESET",
  "UND_ERR_CONNECT_TIMEOUT",
]);

async function sizeOf(file: string): Promise<number> {
  return stat(file).then(
    (s) => s.size,
    () => 0,
  );
}

async function readMeta(file: string): Promise<PartMeta | undefined> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as PartMeta;
  } catch {
    return undefined;
  }
}

/**
 * Downloads `url` into `part` (resuming what is there when possible) and returns how many of
 * its bytes were already there (0: a fresh download).
 * @throws ModelError `EOFFLINE` (host unreachable; the message gives `manual`), `EDOWNLOAD`
 */
export async function download(url: string, part: string, o: DownloadOptions): Promise<number> {
  const metaFile = `${part}.json`;
  const meta = await readMeta(metaFile);
  let offset = meta?.url === url ? await sizeOf(part) : 0;
  const headers: Record<string, string> = {};
  if (offset > 0) {
    headers["range"] = `bytes=${offset}-`;
    if (meta?.validator !== undefined) headers["if-range"] = meta.validator;
  }
  let res: Response;
  try {
    res = await (o.fetch ?? fetch)(url, { headers, ...(o.signal ? { signal: o.signal } : {}) });
  } catch (err) {
    if (o.signal?.aborted) throw err;
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (err as Error).message;
    if (cause?.code !== undefined && !OFFLINE.has(cause.code)) {
      throw new ModelError("EDOWNLOAD", `cannot download ${o.name} from ${url}: ${why}`, {
        cause: err,
      });
    }
    throw new ModelError(
      "EOFFLINE",
      `cannot download ${o.name}: ${url} is unreachable (${why}); this machine looks offline. ${o.manual}`,
      { cause: err },
    );
  }
  let total: number | undefined;
  if (res.status === 206 && offset > 0) {
    const range = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(res.headers.get("content-range") ?? "");
    if (range === null || Number(range[1]) !== offset) {
      await res.body?.cancel();
      return restart();
    }
    total = range[2] === "*" ? undefined : Number(range[2]);
  } else if (res.status === 416 && offset > 0) {
    await res.body?.cancel();
    return restart(); // what we have does not fit the file the server has now
  } else if (res.status === 200) {
    offset = 0;
    const length = res.headers.get("content-length");
    total = length === null ? undefined : Number(length);
  } else {
    await res.body?.cancel();
    throw new ModelError(
      "EDOWNLOAD",
      `cannot download ${o.name}: ${url} answered HTTP ${res.status} ${res.statusText}`.trim(),
    );
  }
  const validator = res.headers.get("etag") ?? res.headers.get("last-modified") ?? undefined;
  // Read the body at once: a stream that errors drops what it had queued and nobody read.
  const remembered = writeFile(
    metaFile,
    JSON.stringify({ url, ...(validator ? { validator } : {}) }),
  );
  try {
    await receive(res, part, offset, total, o);
  } finally {
    await remembered;
  }
  return offset;

  async function restart(): Promise<number> {
    await rm(part, { force: true });
    await rm(metaFile, { force: true });
    return download(url, part, o);
  }
}

/** Writes the body to `part` from `offset`, reporting progress; checks the length at the end. */
async function receive(
  res: Response,
  part: string,
  offset: number,
  total: number | undefined,
  o: DownloadOptions,
): Promise<void> {
  const fh = await open(part, offset > 0 ? "a" : "w", 0o600);
  const started = Date.now();
  let received = offset;
  try {
    if (res.body === null) throw new Error("empty response");
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      await fh.write(chunk);
      received += chunk.byteLength;
      const seconds = Math.max(0.001, (Date.now() - started) / 1000);
      o.onProgress?.({ name: o.name, received, total, rate: (received - offset) / seconds });
    }
  } catch (err) {
    if (o.signal?.aborted) throw err;
    throw new ModelError(
      "EDOWNLOAD",
      `the download of ${o.name} broke off after ${received} bytes (${(err as Error).message}); run again to resume it`,
      { cause: err },
    );
  } finally {
    await fh.close();
  }
  if (total !== undefined && received !== total) {
    throw new ModelError(
      "EDOWNLOAD",
      `the download of ${o.name} ended at ${received} of ${total} bytes; run again to resume it`,
    );
  }
}
