/**
 * What a model is, for fetching: where it comes from, how big it is, how to check it.
 */

/** A hex digest of a file, with its algorithm. */
export interface Digest {
  algorithm: "sha256" | "sha1";
  hex: string;
}

/** A model that can be fetched by name. */
export interface ModelSpec {
  /** The name users give (`whisper-base.en`, `piper-en_US-lessac-medium`). */
  name: string;
  /** One line for lists and docs. */
  description: string;
  /** Where to download it from (https). */
  url: string;
  /** Download size in bytes (for the docs and the progress line before the server says). */
  size: number;
  /**
   * The checksum the download must have. When absent, the host's published digest is used
   * (GitHub release assets, Hugging Face LFS files); with neither, the fetch fails.
   */
  digest?: Digest;
  /**
   * `file`: the download is the model. `tar.bz2`: an archive unpacked into a directory; its
   * single top-level directory becomes the model's directory.
   */
  kind: "file" | "tar.bz2";
  /** Files (relative to the directory) that must exist after unpacking an archive. */
  requires?: readonly string[];
}

/** `n` bytes as a short human size ("75 MB"). */
export function formatSize(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} GB`;
  if (n >= 1e6) return `${Math.round(n / 1e6)} MB`;
  if (n >= 1e3) return `${Math.round(n / 1e3)} kB`;
  return `${n} B`;
}
