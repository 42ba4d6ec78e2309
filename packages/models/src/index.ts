/**
 * named-pipe-tools-models: models for the speech servers. Fetching by name on first use
 * (progress, checksum, resume, a cache under the user's cache directory, a clear error with the
 * manual command when offline), optional native bindings, and writers for tiny random-weight
 * test models in the engines' real formats.
 * @packageDocumentation
 */
export { modelCacheDir } from "./cache.js";
export { hashFile, publishedDigest } from "./digest.js";
export type { DigestHosts } from "./digest.js";
export { ModelError } from "./errors.js";
export type { ModelErrorCode } from "./errors.js";
export { cachedModels, cachedPath, fetchModel, manualCommand } from "./fetch-model.js";
export type { FetchOptions } from "./fetch-model.js";
export { importOptional } from "./optional.js";
export { printProgress, progressLine } from "./progress.js";
export type { Progress } from "./progress.js";
export { looksLikePath, resolveModel } from "./resolve.js";
export { formatSize } from "./spec.js";
export type { Digest, ModelSpec } from "./spec.js";
export { createSherpaChecked, probeSherpa } from "./sherpa-probe.js";
export { SHERPA_INSTALL, SHERPA_PACKAGE, loadSherpa, toFloat32 } from "./sherpa.js";
export type {
  SherpaAudio,
  SherpaModule,
  SherpaRecognizer,
  SherpaResult,
  SherpaStream,
  SherpaTts,
  SherpaTtsRequest,
  SherpaWave,
} from "./sherpa.js";
export { OnnxGraph, randomWeights, seededRandom } from "./onnx/writer.js";
export type { OnnxAttribute, OnnxDim, OnnxTensor, OnnxType } from "./onnx/writer.js";
