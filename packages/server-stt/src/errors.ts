/**
 * Named errors of the STT server, each with a stable `code`.
 */

/** Stable codes of {@link SttError}. */
export type SttErrorCode =
  /** An engine's program or npm package is not installed. */
  | "ENOENGINE"
  /** An engine's model file is missing or unreadable. */
  | "ENOMODEL"
  /** An engine failed while decoding. */
  | "EENGINE"
  /** An audio file or stream is not in a format we read. */
  | "EBADAUDIO"
  /** No input device matches. */
  | "ENODEVICE"
  /** The capture program failed or is missing. */
  | "ECAPTURE"
  /** A bad option or argument (the message names it and the value). */
  | "EBADOPTION";

/** An STT server error with a stable `code`; the message says what to do about it. */
export class SttError extends Error {
  override readonly name = "SttError";

  constructor(
    readonly code: SttErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
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

/** A bad command-line option or argument: a TypeError (usage problem) with code `EBADOPTION`. */
export class SttOptionError extends TypeError {
  override readonly name = "SttOptionError";
  readonly code = "EBADOPTION";
}
