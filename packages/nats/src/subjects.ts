/**
 * The NATS subjects a tool lives on. `<p>` is the prefix (`npt` unless configured), `<tool>` the
 * tool's subject token (its name, with `.` written as `_`, since `.` separates subject tokens),
 * `<gw>` one gateway's random id:
 *
 * | subject                   | who publishes          | who subscribes                            |
 * | ------------------------- | ---------------------- | ----------------------------------------- |
 * | `<p>.call.<tool>.<cmd>`   | callers (requests)     | exporting gateways, queue group `q`       |
 * | `<p>.cancel.<tool>`       | callers                | every gateway exporting the tool          |
 * | `<p>.events.<tool>.<ev>`  | the exporting gateways | callers that listen (`on`)                |
 * | `<p>.frames.<tool>`       | the exporting gateways | callers with a data channel               |
 * | `<p>.data.<tool>.<gw>`    | callers with data      | that one gateway                          |
 * | `<p>.gw.<gw>`             | callers (liveness)     | that one gateway                          |
 *
 * Replies travel on the caller's own inbox (`_INBOX.…`), as NATS request/reply does.
 */
import { PipeToolError } from "named-pipe-tools";

/** The default subject prefix. */
export const DEFAULT_PREFIX = "npt";

/** The default queue group (the NATS services default). */
export const DEFAULT_QUEUE = "q";

/** Characters a subject token (and a services API name) may hold here. */
const TOKEN_RE = /^[A-Za-z0-9_-]{1,64}$/;

/** Checks a subject prefix: one or more tokens of `[A-Za-z0-9_-]` joined by dots. */
export function checkPrefix(prefix: string): string {
  if (typeof prefix !== "string" || !prefix.split(".").every((t) => TOKEN_RE.test(t))) {
    throw new PipeToolError(
      "EINVAL",
      `subject prefix must be tokens of [A-Za-z0-9_-] joined by dots, got ${JSON.stringify(prefix)}`,
    );
  }
  return prefix;
}

/**
 * The subject token (and NATS service name) of tool `name`: the name with every `.` written as
 * `_`. Two tool names that differ only there share a token; a gateway exports only the first.
 */
export function toolToken(name: string): string {
  return name.replaceAll(".", "_");
}

/** Whether a command name can be an endpoint (a single subject token). */
export function isEndpointName(cmd: string): boolean {
  return TOKEN_RE.test(cmd);
}

/** The subjects of one tool under one prefix. */
export class ToolSubjects {
  /** `<p>.call.<tool>`: the service group, endpoints below it. */
  readonly call: string;
  /** `<p>.cancel.<tool>`. */
  readonly cancel: string;
  /** `<p>.events.<tool>`: broadcasts go to `<events>.<event name>`. */
  readonly events: string;
  /** `<p>.frames.<tool>`: binary frames from the tool. */
  readonly frames: string;
  /** `<p>.data.<tool>`: binary frames to the tool go to `<data>.<gateway id>`. */
  readonly data: string;

  constructor(
    readonly prefix: string,
    readonly token: string,
  ) {
    this.call = `${prefix}.call.${token}`;
    this.cancel = `${prefix}.cancel.${token}`;
    this.events = `${prefix}.events.${token}`;
    this.frames = `${prefix}.frames.${token}`;
    this.data = `${prefix}.data.${token}`;
  }

  /** The endpoint of command `cmd`. */
  command(cmd: string): string {
    return `${this.call}.${cmd}`;
  }

  /** The subject a broadcast named `event` goes to (`_` stands for a name that is no token). */
  event(event: string): string {
    return `${this.events}.${TOKEN_RE.test(event) ? event : "_"}`;
  }
}

/** `<p>.gw.<id>`: a gateway's own subject, answered while it lives. */
export function gatewaySubject(prefix: string, gatewayId: string): string {
  return `${prefix}.gw.${gatewayId}`;
}
