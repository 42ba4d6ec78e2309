/**
 * Named errors of model fetching, each with a stable `code`.
 */
import { PipeToolError } from "named-pipe-tools";

/** Stable codes of {@link ModelError}. */
export type ModelErrorCode =
  /** The host cannot be reached (offline, DNS, refused): the message gives the manual command. */
  | "EOFFLINE"
  /** The server answered with an error status, or the transfer broke off. */
  | "EDOWNLOAD"
  /** The file does not match its checksum (it was removed). */
  | "ECHECKSUM"
  /** The archive cannot be unpacked (or lacks the files the model needs). */
  | "EEXTRACT"
  /** No model has that name, and it is not an existing path. */
  | "EUNKNOWNMODEL"
  /** An optional native binding is not installed; the message names the install command. */
  | "ENOTINSTALLED"
  /** A bad argument (the message names it and the value). */
  | "EINVAL";

/** A model could not be fetched or loaded; the message says what to do about it. */
export class ModelError extends PipeToolError<ModelErrorCode> {
  constructor(code: ModelErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = "ModelError";
  }
}
