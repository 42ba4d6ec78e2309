/**
 * Where the model comes from: a local file path, or a URI that node-llama-cpp resolves
 * (`hf:user/repo/file.gguf`, `https://...`), downloaded on first use into a cache directory.
 */
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { resolveModelFile } from "node-llama-cpp";
import { ChatServerError } from "../../errors.js";

/** Download progress, in bytes. */
export interface DownloadProgress {
  downloaded: number;
  total: number;
}

/** Default download cache: node-llama-cpp's own (`~/.node-llama-cpp/models`). */
export function defaultModelsDir(): string {
  return path.join(homedir(), ".node-llama-cpp", "models");
}

/** True when `model` names a URI to resolve rather than a local file. */
export function isModelUri(model: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(model) && !existsSync(model);
}

/**
 * Resolves `model` to a local file, downloading it into `modelsDir` when it is a URI not yet
 * there.
 * @throws ChatServerError `model_load_failed` when it cannot be resolved or downloaded
 */
export async function resolveModel(
  model: string,
  modelsDir: string,
  onProgress: (p: DownloadProgress) => void,
  signal: AbortSignal,
): Promise<string> {
  if (!isModelUri(model)) return path.resolve(model);
  try {
    return await resolveModelFile(model, {
      directory: modelsDir,
      download: "auto",
      cli: false,
      signal,
      onProgress: ({ totalSize, downloadedSize }) =>
        onProgress({ downloaded: downloadedSize, total: totalSize }),
    });
  } catch (err) {
    throw new ChatServerError(
      "EMODELLOAD",
      `cannot resolve model ${model}: ${(err as Error).message}`,
      { cause: err },
    );
  }
}

/** Renders a one-line progress bar, e.g. `[#####.....]  52% 120.3/231.0 MiB`. */
export function progressBar({ downloaded, total }: DownloadProgress, width = 30): string {
  const mib = (n: number): string => (n / 1024 / 1024).toFixed(1);
  if (total <= 0) return `${mib(downloaded)} MiB`;
  const frac = Math.min(1, downloaded / total);
  const filled = Math.round(frac * width);
  const pct = String(Math.floor(frac * 100)).padStart(3);
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${pct}% ${mib(downloaded)}/${mib(total)} MiB`;
}
