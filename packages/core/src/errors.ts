/**
 * Named errors with stable codes. Every error the library throws or rejects with is a
 * {@link PipeToolError} (or a `TypeError` for a bad option), so callers can branch on `code`.
 */

/** Stable error codes. New codes may be added; existing ones never change meaning. */
export type ErrorCode =
  /** No live server reads the tool's upstream pipe. */
  | "ENOSERVER"
  /** The server went away (stopped, crashed, or dropped this client). */
  | "ESERVERGONE"
  /** A call did not get its reply in time. */
  | "ETIMEDOUT"
  /** The call was aborted by its AbortSignal, or cancelled. */
  | "EABORTED"
  /** The client is closed. */
  | "ECLOSED"
  /** The server answered with an error event. */
  | "EREMOTE"
  /** A name or path is unsafe or malformed. */
  | "EBADNAME"
  /** A pipe path exists but is not a private FIFO owned by this user. */
  | "EUNSAFEPIPE"
  /** A live server already serves this name. */
  | "EINUSE"
  /**
   * The tool is a server of the Python reference project, which answers only its own form of
   * the protocol: connect with `compat: "reference"` (cpipe `--reference`).
   */
  | "EREFERENCE"
  /** A message exceeded a size limit. */
  | "ETOOBIG"
  /** Bytes on a pipe could not be decoded. */
  | "EPROTO"
  /** A bad command line or option (cpipe exits 2). */
  | "EUSAGE"
  /** A function was called the wrong way (a bad argument, a call in the wrong state): a bug in the caller. */
  | "EINVAL"
  /** A package (a server type, the MCP bridge) is not installed; the message says how to. */
  | "ENOTINSTALLED"
  /** A package is installed but cannot be loaded (not built, a dependency missing, ...). */
  | "EBADPACKAGE"
  /** Any other I/O failure (see `cause`). */
  | "EIO";

/** What an error that answers a request says on the wire, when its class gives no `wireCode`. */
const DEFAULT_WIRE_CODES: Readonly<Partial<Record<string, string>>> = {
  ETOOBIG: "too_big",
  EABORTED: "cancelled",
  EUSAGE: "bad_args",
  EINVAL: "bad_args",
};

/**
 * Base class of every error raised by named-pipe-tools, its CLI and its packages. `code` is a
 * stable upper-case code for programs (`ENOSERVER`, `EBADMODEL`, ...); `wireCode` is the
 * lower-case code sent in `{"event":"error","code":...}` when the error answers a request
 * (`bad_args`, `not_ready`, ...). Packages subclass it with their own codes.
 */
export class PipeToolError<Code extends string = ErrorCode> extends Error {
  /** Stable, machine-readable error code. */
  readonly code: Code;
  /** The code sent on the wire when this error answers a request [handler_error]. */
  readonly wireCode: string;

  constructor(code: Code, message: string, options?: { cause?: unknown; wireCode?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.wireCode = options?.wireCode ?? DEFAULT_WIRE_CODES[code] ?? "handler_error";
    this.name = "PipeToolError";
  }
}

/**
 * The server replied to a call with `{"event":"error", ...}`. `reply` holds the whole message,
 * `remoteCode` its `code` field when the server sent one.
 */
export class RemoteError extends PipeToolError {
  /** The full error event as received. */
  readonly reply: Readonly<Record<string, unknown>>;
  /** The server's own error code (for example `bad_args`, `cancelled`), when present. */
  readonly remoteCode: string | undefined;

  constructor(reply: Record<string, unknown>) {
    const message = typeof reply["message"] === "string" ? reply["message"] : "remote error";
    super("EREMOTE", message);
    this.name = "RemoteError";
    this.reply = reply;
    this.remoteCode = typeof reply["code"] === "string" ? reply["code"] : undefined;
  }
}
