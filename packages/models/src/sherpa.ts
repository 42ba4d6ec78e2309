/**
 * The parts of `sherpa-onnx-node` (an optional peer of the speech servers: prebuilt
 * onnxruntime + sherpa-onnx, 32 MB on linux-x64) that the engines use, typed, and its loader.
 */
import { ModelError } from "./errors.js";
import { importOptional } from "./optional.js";

/** The npm package. */
export const SHERPA_PACKAGE = "sherpa-onnx-node";

/** How to install it, for errors. */
export const SHERPA_INSTALL = `install it beside the server with 'npm install ${SHERPA_PACKAGE}' (add -g when the server is installed with -g; 32 MB with its prebuilt binaries)`;

/** Audio for a recognizer: float samples in [-1, 1]. */
export interface SherpaWave {
  samples: Float32Array;
  sampleRate: number;
}

/** A recognition result, as the JSON sherpa-onnx returns. */
export interface SherpaResult {
  text: string;
  tokens?: string[];
  /** Start of each token, seconds. */
  timestamps?: number[];
  /** Duration of each token, seconds (TDT models). */
  durations?: number[];
  /** Log probability of each token (transducer models). */
  ys_log_probs?: number[];
}

/** One utterance's audio. */
export interface SherpaStream {
  acceptWaveform(wave: SherpaWave): void;
}

/** An offline (whole-utterance) recognizer. */
export interface SherpaRecognizer {
  createStream(): SherpaStream;
  decodeAsync(stream: SherpaStream): Promise<SherpaResult>;
}

/** Audio a synthesizer made. */
export interface SherpaAudio {
  samples: Float32Array;
  sampleRate: number;
}

/** A synthesis request; `onProgress` gets each chunk and returns 0 to stop. */
export interface SherpaTtsRequest {
  text: string;
  sid: number;
  speed: number;
  onProgress?: (info: { samples: Float32Array; progress: number }) => number;
}

/** An offline synthesizer. */
export interface SherpaTts {
  readonly sampleRate: number;
  readonly numSpeakers: number;
  generateAsync(request: SherpaTtsRequest): Promise<SherpaAudio>;
}

/** The module's classes the engines use. */
export interface SherpaModule {
  OfflineRecognizer: { createAsync(config: object): Promise<SherpaRecognizer> };
  OfflineTts: { createAsync(config: object): Promise<SherpaTts> };
}

/**
 * Loads the binding through `load` (an `import("sherpa-onnx-node")` written in the package
 * that declares the peer dependency).
 * @throws ModelError `ENOTINSTALLED` naming the install command
 */
export async function loadSherpa(load: () => Promise<unknown>): Promise<SherpaModule> {
  const mod = await importOptional<SherpaModule>(load, SHERPA_PACKAGE, SHERPA_INSTALL);
  if (typeof mod.OfflineRecognizer?.createAsync !== "function") {
    throw new ModelError(
      "ENOTINSTALLED",
      `${SHERPA_PACKAGE} is too old (no async API): install 1.13.8 or later with 'npm install ${SHERPA_PACKAGE}@^1.13.8'`,
    );
  }
  return mod;
}

/** Float samples in [-1, 1] from 16-bit samples. */
export function toFloat32(samples: Int16Array): Float32Array {
  const out = new Float32Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = (samples[i] ?? 0) / 32768;
  return out;
}
