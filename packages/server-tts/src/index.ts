/**
 * named-pipe-tools-tts: the ready-made `tts` tool server.
 * @packageDocumentation
 */
export { TtsServer, createTtsServer, startTtsServer } from "./tts-server.js";
export type { TtsServerOptions } from "./tts-server.js";
export { serverType, TTS_OPTIONS } from "./options.js";
export type { TtsCliOptions } from "./options.js";
export type { SynthesisOptions, TtsEngine, Voice } from "./engine.js";
export { EspeakEngine, parseEspeakVoices } from "./espeak-engine.js";
export { DEFAULT_SHERPA_VOICE, SherpaTtsEngine } from "./sherpa-engine.js";
export type { SherpaTtsOptions } from "./sherpa-engine.js";
export { KOKORO_EN_SPEAKERS, SHERPA_VOICES } from "./sherpa-voices.js";
export {
  SAMPLES_PER_TOKEN,
  writeTestKokoroVoice,
  writeTestPiperVoice,
} from "./test-models/voices.js";
export type { EspeakEngineOptions } from "./espeak-engine.js";
export { TtsError } from "./errors.js";
export type { TtsErrorCode } from "./errors.js";
export {
  FLAG_CANCELLED,
  FLAG_END,
  FRAME_HEADER_BYTES,
  decodeFrame,
  encodeFrame,
} from "./frames.js";
export type { AudioFrame } from "./frames.js";
export { SentenceSplitter, splitSentences, speakableText } from "./sentences.js";
export type { SplitterOptions } from "./sentences.js";
export { Speaker } from "./speaker.js";
export type { AudioSink, Speech, SpeechResult } from "./speaker.js";
export { PLAYER_KINDS, Player, detectPlayer } from "./player.js";
export type { PlayerKind } from "./player.js";
export { WavFileWriter, WavStreamParser, wavHeader } from "./wav.js";
