/**
 * Named errors of the TTS server. Each has a stable `code`; the wire code (lowercase, sent in
 * error replies) is derived from it.
 */

/** Stable error codes of the TTS server. */
export type TtsErrorCode =
  /** The engine cannot run (for example the espeak-ng binary is not installed). */
  | "ENOENGINE"
  /** The engine failed while synthesizing. */
  | "ESYNTH"
  /** No such voice. */
  | "EBADVOICE"
  /** Playback was asked for and there is no audio device. */
  | "ENODEVICE"
  /** A bad option or argument. */
  | "EBADOPTION";

const WIRE: Record<TtsErrorCode, string> = {
  ENOENGINE: "no_engine",
  ESYNTH: "synthesis_failed",
  EBADVOICE: "bad_voice",
  ENODEVICE: "no_device",
  EBADOPTION: "bad_args",
};

/** An error raised by the TTS server or one of its engines. */
export class TtsError extends Error {
  /** Stable, machine-readable code. */
  readonly code: TtsErrorCode;

  constructor(code: TtsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = "TtsError";
  }

  /** The lowercase code sent in error replies (`no_engine`, `bad_voice`, ...). */
  get wireCode(): string {
    return WIRE[this.code];
  }
}

/**
 * Whether an error means something the server needs is missing (its engine or the playback
 * device): the server then keeps serving in state `error` instead of stopping.
 */
export function isUnavailable(err: unknown): boolean {
  return err instanceof TtsError && (err.code === "ENOENGINE" || err.code === "ENODEVICE");
}

/** Wraps a TtsError so a handler's thrown error carries the lowercase wire code. */
export function toWireError(err: unknown): Error {
  if (!(err instanceof TtsError)) return err instanceof Error ? err : new Error(String(err));
  const wire = new Error(err.message, { cause: err }) as Error & { code: string };
  wire.code = err.wireCode;
  return wire;
}
