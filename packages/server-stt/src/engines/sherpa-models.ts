/**
 * The sherpa-onnx speech models: the ones fetched by name, and how a model directory's files
 * become a recognizer configuration (Parakeet/Zipformer transducers, Moonshine, Whisper).
 */
import { readdir } from "node:fs/promises";
import path from "node:path";
import type { ModelSpec } from "named-pipe-tools-models";
import { SttError } from "../errors.js";

const RELEASES = "https://github.com/k2-fsa/sherpa-onnx/releases/download/asr-models";

/**
 * Models fetched by name. No checksums are pinned here: the fetcher takes the SHA-256 GitHub
 * publishes for each release asset.
 */
export const SHERPA_MODELS: readonly ModelSpec[] = [
  {
    name: "parakeet-tdt-0.6b-v2",
    description:
      "NVIDIA Parakeet TDT 0.6B v2, int8 (English, punctuated; the most accurate choice on CPU)",
    url: `${RELEASES}/sherpa-onnx-nemo-parakeet-tdt-0.6b-v2-int8.tar.bz2`,
    size: 480_000_000,
    kind: "tar.bz2",
    requires: ["encoder.int8.onnx", "decoder.int8.onnx", "joiner.int8.onnx", "tokens.txt"],
  },
  {
    name: "parakeet-tdt-110m",
    description:
      "NVIDIA Parakeet TDT 110M, int8 (English; a fifth of the download, a few more errors)",
    url: `${RELEASES}/sherpa-onnx-nemo-parakeet_tdt_transducer_110m-en-36000-int8.tar.bz2`,
    size: 100_000_000,
    kind: "tar.bz2",
    requires: ["encoder.int8.onnx", "decoder.int8.onnx", "joiner.int8.onnx", "tokens.txt"],
  },
  {
    name: "moonshine-tiny",
    description: "Useful Sensors Moonshine tiny, int8 (English; the smallest and fastest)",
    url: `${RELEASES}/sherpa-onnx-moonshine-tiny-en-int8.tar.bz2`,
    size: 60_000_000,
    kind: "tar.bz2",
    requires: ["preprocess.onnx", "tokens.txt"],
  },
];

/** Which kind of model a directory holds, with the files sherpa-onnx needs. */
export interface SherpaModelFiles {
  family: "transducer" | "moonshine" | "whisper";
  /** The `modelConfig` part of the recognizer's configuration. */
  modelConfig: Record<string, unknown>;
}

/** Whether a family has been run end to end in this project's tests (others: experimental). */
export const TESTED_FAMILIES: ReadonlySet<SherpaModelFiles["family"]> = new Set(["transducer"]);

/** The int8 file of a kind when there is one, else the plain one. */
function pick(files: readonly string[], test: RegExp): string | undefined {
  const found = files.filter((f) => test.test(f) && f.endsWith(".onnx")).sort();
  return found.find((f) => f.includes(".int8.")) ?? found[0];
}

/**
 * Reads a model directory and returns its configuration.
 * @throws SttError `ENOMODEL` when it is not a model directory sherpa-onnx can run
 */
export async function sherpaModelFiles(dir: string): Promise<SherpaModelFiles> {
  let files: string[];
  try {
    files = await readdir(dir);
  } catch (err) {
    throw new SttError(
      "ENOMODEL",
      `cannot read model directory '${dir}': ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  const at = (f: string | undefined): string => path.join(dir, f ?? "");
  const encoder = pick(files, /^encoder/);
  const decoder = pick(files, /^decoder/);
  const joiner = pick(files, /^joiner/);
  if (encoder && decoder && joiner && files.includes("tokens.txt")) {
    return {
      family: "transducer",
      modelConfig: {
        transducer: { encoder: at(encoder), decoder: at(decoder), joiner: at(joiner) },
        tokens: at("tokens.txt"),
      },
    };
  }
  const pre = pick(files, /^preprocess/);
  const enc = pick(files, /^encode\./);
  const uncached = pick(files, /^uncached_decode/);
  const cached = pick(files, /^cached_decode/);
  if (pre && enc && uncached && cached && files.includes("tokens.txt")) {
    return {
      family: "moonshine",
      modelConfig: {
        moonshine: {
          preprocessor: at(pre),
          encoder: at(enc),
          uncachedDecoder: at(uncached),
          cachedDecoder: at(cached),
        },
        tokens: at("tokens.txt"),
      },
    };
  }
  const wEnc = pick(files, /-encoder\./);
  const wDec = pick(files, /-decoder\./);
  const wTokens = files.find((f) => f.endsWith("-tokens.txt"));
  if (wEnc && wDec && wTokens) {
    return {
      family: "whisper",
      modelConfig: {
        whisper: { encoder: at(wEnc), decoder: at(wDec), language: "en", task: "transcribe" },
        tokens: at(wTokens),
      },
    };
  }
  throw new SttError(
    "ENOMODEL",
    `'${dir}' is not a sherpa-onnx model directory: it needs encoder/decoder/joiner .onnx files and tokens.txt (Parakeet, Zipformer), preprocess/encode/uncached_decode/cached_decode (Moonshine), or *-encoder/*-decoder .onnx and *-tokens.txt (Whisper)`,
  );
}
