/**
 * Engines by name.
 */
import type { SttEngine } from "../engine.js";
import { SttError } from "../errors.js";
import type { PocketsphinxOptions } from "./pocketsphinx.js";
import { PocketsphinxEngine } from "./pocketsphinx.js";
import type { SherpaOptions } from "./sherpa.js";
import { SherpaEngine } from "./sherpa.js";
import type { WhisperOptions } from "./whisper.js";
import { WhisperEngine } from "./whisper.js";

/** The engines {@link createEngine} knows. */
export const ENGINE_NAMES = ["pocketsphinx", "whisper", "sherpa"] as const;

/** Options for any engine; each takes the fields it knows. */
export type EngineOptions = PocketsphinxOptions & WhisperOptions & SherpaOptions;

/** Creates an engine by name (not yet loaded). */
export function createEngine(name: string, options: EngineOptions = {}): SttEngine {
  switch (name) {
    case "pocketsphinx":
      return new PocketsphinxEngine(options);
    case "whisper":
      return new WhisperEngine(options);
    case "sherpa":
      return new SherpaEngine(options);
    default:
      throw new SttError("EUSAGE", `unknown engine '${name}' (known: ${ENGINE_NAMES.join(", ")})`);
  }
}
