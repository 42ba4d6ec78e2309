/**
 * Checksums: hashing a file, and the digest a host publishes for a download when the
 * catalog pins none (GitHub release assets: the REST API's `digest`; Hugging Face LFS files:
 * the `X-Linked-Etag` header, which is the file's SHA-256).
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { ModelError } from "./errors.js";
import type { Digest } from "./spec.js";

/** The hex digest of a file's contents. */
export async function hashFile(file: string, algorithm: Digest["algorithm"]): Promise<string> {
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Checks a digest's shape. */
export function isDigest(d: Digest): boolean {
  return d.algorithm === "sha256" ? /^[0-9a-f]{64}$/.test(d.hex) : /^[0-9a-f]{40}$/.test(d.hex);
}

const GITHUB_RELEASE =
  /^https:\/\/github\.com\/([^/]+)\/([^/]+)\/releases\/download\/([^/]+)\/([^/?#]+)$/;
const HUGGING_FACE = /^https:\/\/huggingface\.co\/.+\/resolve\/.+$/;

/** Where the hosts' APIs are (overridable for tests). */
export interface DigestHosts {
  /** GitHub's REST API base ["https://api.github.com"]. */
  githubApi?: string;
  /** The fetch to use [globalThis.fetch]. */
  fetch?: typeof fetch;
}

/**
 * The SHA-256 the host publishes for `url`, or undefined when it publishes none.
 * @throws ModelError `EOFFLINE` when the host cannot be reached at all
 */
export async function publishedDigest(
  url: string,
  hosts: DigestHosts = {},
): Promise<Digest | undefined> {
  const get = hosts.fetch ?? fetch;
  try {
    const gh = GITHUB_RELEASE.exec(url);
    if (gh !== null) {
      const [, owner, repo, tag, asset] = gh;
      const api = hosts.githubApi ?? "https://api.github.com";
      const res = await get(`${api}/repos/${owner}/${repo}/releases/tags/${tag}`, {
        headers: { accept: "application/vnd.github+json" },
        signal: AbortSignal.timeout(15_000),
      });
      if (!res.ok) return undefined;
      const body = (await res.json()) as { assets?: { name?: string; digest?: string | null }[] };
      const found = body.assets?.find((a) => a.name === decodeURIComponent(asset ?? ""));
      return fromHex("sha256", /^sha256:([0-9a-f]{64})$/.exec(found?.digest ?? "")?.[1]);
    }
    if (HUGGING_FACE.test(url)) {
      // The redirect response itself carries the LFS object id.
      const res = await get(url, {
        method: "HEAD",
        redirect: "manual",
        signal: AbortSignal.timeout(15_000),
      });
      const etag = (res.headers.get("x-linked-etag") ?? "").replace(/^(W\/)?"|"$/g, "");
      return fromHex("sha256", etag);
    }
  } catch (err) {
    if (err instanceof TypeError) {
      // fetch's "fetch failed": no connection (DNS, refused, unreachable, timed out)
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new ModelError(
        "EOFFLINE",
        `cannot ask ${new URL(url).host} for the checksum of ${url} (${cause?.code ?? cause?.message ?? err.message}); this machine looks offline.`,
        { cause: err },
      );
    }
    return undefined;
  }
  return undefined;
}

function fromHex(algorithm: Digest["algorithm"], hex: string | undefined): Digest | undefined {
  if (hex === undefined) return undefined;
  const d = { algorithm, hex: hex.toLowerCase() };
  return isDigest(d) ? d : undefined;
}
