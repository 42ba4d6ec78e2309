/**
 * named-pipe-tools-stt: the ready-made `stt` speech-to-text tool server.
 * @packageDocumentation
 */
import type { ServerType, ToolServer } from "named-pipe-tools";
import { USAGE, parseSttArgs } from "./options.js";
import type { SttServerOptions } from "./stt-server.js";
import { createSttServer } from "./stt-server.js";
import { isUnavailable } from "./errors.js";

export { DEFAULT_MIN_CONFIDENCE, createSttServer } from "./stt-server.js";
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
export { parseSttArgs, USAGE } from "./options.js";

/**
 * Creates, starts and loads a server. A missing engine, model or device leaves it serving in
 * state `error` (reported once on stderr; commands that need it reply with the fix); any other
 * load failure closes it and rethrows.
 */
async function startLoaded(options: SttServerOptions): Promise<ToolServer> {
  const { server, ready } = await createSttServer(options);
  await server.listen();
  try {
    await ready;
  } catch (err) {
    if (isUnavailable(err)) return server;
    await server.close();
    throw err;
  }
  return server;
}

/** The entry `cpipe --serve stt` loads. */
export const serverType: ServerType = {
  name: "stt",
  description:
    "speech to text: pocketsphinx (offline) or whisper.cpp; microphone, data channel or files",
  usage: USAGE,
  start: (args, common) =>
    startLoaded({
      ...parseSttArgs(args),
      ...(common.name === undefined ? {} : { name: common.name }),
      ...(common.dir === undefined ? {} : { dir: common.dir }),
      ...(common.log === undefined ? {} : { log: common.log }),
    }),
};
