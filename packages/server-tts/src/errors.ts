/**
 * Errors of the TTS server: {@link TtsError}, a `PipeToolError` with the TTS server's own codes.
 * Its `wireCode` is what an error reply carries (`no_engine`, `bad_voice`, ...).
 */
import { PipeToolError } from "named-pipe-tools";

/** Stable error codes of the TTS server, each with its wire code. */
const WIRE_CODES = {
  /** The engine cannot run (for example the espeak-ng binary is not installed). */
  ENOENGINE: "no_engine",
  /** The engine failed while synthesizing. */
  ESYNTH: "synthesis_failed",
  /** No such voice. */
  EBADVOICE: "bad_voice",
  /** Playback was asked for and there is no audio device. */
  ENODEVICE: "no_device",
  /** A bad option or argument (a usage error: cpipe exits 2). */
  EUSAGE: "bad_args",
} as const;

/** Stable error codes of the TTS server. */
export type TtsErrorCode = keyof typeof WIRE_CODES;

/** An error raised by the TTS server or one of its engines. */
export class TtsError extends PipeToolError<TtsErrorCode> {
  constructor(code: TtsErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, { ...options, wireCode: WIRE_CODES[code] });
    this.name = "TtsError";
  }
}

/**
 * Whether an error means something the server needs is missing (its engine or the playback
 * device): the server then keeps serving in state `error` instead of stopping.
 */
export function isUnavailable(err: unknown): boolean {
  return err instanceof TtsError && (err.code === "ENOENGINE" || err.code === "ENODEVICE");
}
