/**
 * named-pipe-tools-stt: the ready-made `stt` speech-to-text tool server.
 * @packageDocumentation
 */
import type { ServerType } from "named-pipe-tools";
import type { SttCliOptions } from "./options.js";
import { STT_OPTIONS, sttServerOptions } from "./options.js";
import { startSttServer } from "./stt-server.js";

export { createSttServer, startSttServer } from "./stt-server.js";
export type { SttServer, SttServerOptions } from "./stt-server.js";
export type { EngineStream, SttEngine, Transcript, WordTiming } from "./engine.js";
export { createEngine, ENGINE_NAMES } from "./engines/index.js";
export type { EngineOptions } from "./engines/index.js";
export { PocketsphinxEngine } from "./engines/pocketsphinx.js";
export type { PocketsphinxOptions } from "./engines/pocketsphinx.js";
export { WhisperEngine, WHISPER_PACKAGE } from "./engines/whisper.js";
export type { WhisperOptions } from "./engines/whisper.js";
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
    "speech to text: pocketsphinx (offline) or whisper.cpp; microphone, data channel or files",
  options: STT_OPTIONS,
  start: (options) => startSttServer(sttServerOptions(options)),
};
