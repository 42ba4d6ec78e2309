/**
 * The neural voices sherpa-onnx runs: the ones fetched by name, and how a voice directory's
 * files become a synthesizer configuration (Piper/VITS or Kokoro).
 */
import { access, readdir } from "node:fs/promises";
import path from "node:path";
import type { ModelSpec } from "named-pipe-tools-models";
import { TtsError } from "./errors.js";

const RELEASES = "https://github.com/k2-fsa/sherpa-onnx/releases/download/tts-models";

/**
 * Voices fetched by name. The Lessac archive's SHA-256 is pinned (the same value in two
 * independent deployments that pin it); the others use the digest GitHub publishes.
 */
export const SHERPA_VOICES: readonly ModelSpec[] = [
  {
    name: "piper-lessac-medium",
    description: "Piper en_US lessac, medium quality (22,050 Hz; fast on any CPU)",
    url: `${RELEASES}/vits-piper-en_US-lessac-medium.tar.bz2`,
    size: 64_000_000,
    kind: "tar.bz2",
    digest: {
      algorithm: "sha256",
      hex: "9e3febfacf0abf4270172d2958bcec246032b7e88efc2720840cc80c93de334e",
    },
    requires: ["en_US-lessac-medium.onnx", "tokens.txt", "espeak-ng-data"],
  },
  {
    name: "piper-amy-low",
    description: "Piper en_US amy, low quality (16,000 Hz; the smallest and fastest)",
    url: `${RELEASES}/vits-piper-en_US-amy-low.tar.bz2`,
    size: 35_000_000,
    kind: "tar.bz2",
    requires: ["en_US-amy-low.onnx", "tokens.txt", "espeak-ng-data"],
  },
  {
    name: "kokoro-en",
    description: "Kokoro 82M v0.19, English, 11 voices (24,000 Hz; the most natural, ~5x slower)",
    url: `${RELEASES}/kokoro-en-v0_19.tar.bz2`,
    size: 305_000_000,
    kind: "tar.bz2",
    requires: ["model.onnx", "voices.bin", "tokens.txt", "espeak-ng-data"],
  },
];

/** Kokoro v0.19's speakers, in the order of its voices.bin. */
export const KOKORO_EN_SPEAKERS = [
  "af",
  "af_bella",
  "af_nicole",
  "af_sarah",
  "af_sky",
  "am_adam",
  "am_michael",
  "bf_emma",
  "bf_isabella",
  "bm_george",
  "bm_lewis",
] as const;

/** Where distributions put espeak-ng's data (for voice directories that lack their own). */
const SYSTEM_ESPEAK_DATA = [
  `/usr/lib/${process.arch === "arm64" ? "aarch64" : "x86_64"}-linux-gnu/espeak-ng-data`,
  "/usr/share/espeak-ng-data",
  "/usr/local/share/espeak-ng-data",
  "/opt/homebrew/share/espeak-ng-data",
];

/** A voice directory's kind and its sherpa-onnx `model` configuration. */
export interface SherpaVoiceFiles {
  family: "vits" | "kokoro";
  model: Record<string, unknown>;
}

async function exists(p: string): Promise<boolean> {
  return access(p).then(
    () => true,
    () => false,
  );
}

/** The voice's own espeak-ng-data, else the system's. */
async function espeakData(dir: string): Promise<string | undefined> {
  for (const candidate of [path.join(dir, "espeak-ng-data"), ...SYSTEM_ESPEAK_DATA]) {
    if (await exists(path.join(candidate, "phontab"))) return candidate;
  }
  return undefined;
}

/**
 * Reads a voice directory and returns its configuration.
 * @throws TtsError `ENOENGINE` when it is not a voice sherpa-onnx can run
 */
export async function sherpaVoiceFiles(dir: string): Promise<SherpaVoiceFiles> {
  let files: string[];
  try {
    files = await readdir(dir);
  } catch (err) {
    throw new TtsError(
      "ENOENGINE",
      `cannot read voice directory '${dir}': ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  const onnx = files.filter((f) => f.endsWith(".onnx")).sort();
  const model = onnx.find((f) => f.includes(".int8.")) ?? onnx[0];
  const dataDir = await espeakData(dir);
  if (model === undefined || !files.includes("tokens.txt") || dataDir === undefined) {
    throw new TtsError(
      "ENOENGINE",
      `'${dir}' is not a sherpa-onnx voice: it needs a .onnx model, tokens.txt and espeak-ng-data (its own, or the system's from 'apt-get install espeak-ng-data')`,
    );
  }
  const at = (f: string): string => path.join(dir, f);
  if (files.includes("voices.bin")) {
    return {
      family: "kokoro",
      model: {
        kokoro: { model: at(model), voices: at("voices.bin"), tokens: at("tokens.txt"), dataDir },
      },
    };
  }
  return {
    family: "vits",
    model: { vits: { model: at(model), tokens: at("tokens.txt"), dataDir } },
  };
}
