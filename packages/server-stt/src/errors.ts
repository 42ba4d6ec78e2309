/**
 * Errors of the STT server: {@link SttError}, a `PipeToolError` with the STT server's own codes.
 * Its `wireCode` is what an error reply carries (`no_engine`, `bad_audio`, ...).
 */
import { PipeToolError } from "named-pipe-tools";

/** Stable codes of {@link SttError}, each with its wire code. */
const WIRE_CODES = {
  /** An engine's program or npm package is not installed. */
  ENOENGINE: "no_engine",
  /** An engine's model file is missing or unreadable. */
  ENOMODEL: "no_model",
  /** An engine failed while decoding. */
  EENGINE: "engine_failed",
  /** An audio file or stream is not in a format we read. */
  EBADAUDIO: "bad_audio",
  /** No input device matches. */
  ENODEVICE: "no_device",
  /** The capture program failed or is missing. */
  ECAPTURE: "capture_failed",
  /** A bad option or argument (a usage error: cpipe exits 2; the message names it and the value). */
  EUSAGE: "bad_args",
} as const;

/** Stable codes of {@link SttError}. */
export type SttErrorCode = keyof typeof WIRE_CODES;

/** An STT server error with a stable `code`; the message says what to do about it. */
export class SttError extends PipeToolError<SttErrorCode> {
  constructor(code: SttErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, { ...options, wireCode: WIRE_CODES[code] });
    this.name = "SttError";
  }
}

/**
 * Whether an error means something the server needs is missing (engine, model, device): the
 * server then keeps serving in state `error` instead of stopping.
 */
export function isUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return code === "ENOENGINE" || code === "ENOMODEL" || code === "ENODEVICE";
}
