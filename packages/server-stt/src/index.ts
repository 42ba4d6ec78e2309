/**
 * named-pipe-tools-stt: the ready-made `stt` speech-to-text tool server.
 * @packageDocumentation
 */
import type { ServerType } from "named-pipe-tools";
import type { SttCliOptions } from "./options.js";
import { STT_OPTIONS, sttServerOptions } from "./options.js";
import { startSttServer } from "./stt-server.js";

export { DEFAULT_MIN_CONFIDENCE, createSttServer, startSttServer } from "./stt-server.js";
export type { SttServer, SttServerOptions } from "./stt-server.js";
export type { EngineStream, SttEngine, Transcript, WordTiming } from "./engine.js";
export { createEngine, ENGINE_NAMES } from "./engines/index.js";
export type { EngineOptions } from "./engines/index.js";
export { PocketsphinxEngine } from "./engines/pocketsphinx.js";
export type { PocketsphinxOptions } from "./engines/pocketsphinx.js";
export {
  DEFAULT_WHISPER_MODEL,
  WHISPER_MODELS,
  WHISPER_PACKAGE,
  WHISPER_PLATFORM_PACKAGE,
  WhisperEngine,
} from "./engines/whisper.js";
export type { WhisperOptions } from "./engines/whisper.js";
export { DEFAULT_SHERPA_MODEL, SherpaEngine } from "./engines/sherpa.js";
export type { SherpaOptions } from "./engines/sherpa.js";
export { SHERPA_MODELS } from "./engines/sherpa-models.js";
export { TEST_TRANSDUCER_WORDS, writeTestTransducer } from "./test-models/transducer.js";
export { TEST_WHISPER_WORDS, writeTestWhisperModel } from "./test-models/whisper-ggml.js";
export { SttError } from "./errors.js";
export type { SttErrorCode } from "./errors.js";
export type { DataFormat, DataEncoding } from "./data-input.js";
export { DEFAULT_DATA_FORMAT } from "./data-input.js";
export type { VadOptions } from "./audio/vad.js";
export { STT_OPTIONS, sttServerOptions } from "./options.js";
export type { SttCliOptions } from "./options.js";

/** The entry `cpipe --serve stt` loads. */
export const serverType: ServerType<SttCliOptions> = {
  name: "stt",
  description:
    "speech to text: pocketsphinx (offline), sherpa-onnx or whisper.cpp; microphone, data channel or files",
  options: STT_OPTIONS,
  start: (options) => startSttServer(sttServerOptions(options)),
};
