/**
 * The server's side of the shared upstream text pipe: splits lines, parses them, joins
 * fragments, and hands well-formed requests on with their sender. Bad lines are answered (with
 * the request's id or fragment id, when their first bytes name them) when their sender can be
 * told, and logged otherwise; nothing a peer sends can throw out of here.
 */
import { FragmentAssembler } from "../framing/fragments.js";
import { LineDecoder } from "../framing/lines.js";
import { RAISE_SERVER_MESSAGES, tooBig } from "../protocol/limits.js";
import type { RequestId } from "../protocol/messages.js";
import { WireErrorCode, idFromHead, isRecord } from "../protocol/messages.js";
import { isClientToken } from "../transport/paths.js";
import type { Sender } from "./types.js";

/** What an error answers: a request id, or the fragment id of a message that never arrived. */
export interface ErrorRef {
  id?: RequestId;
  frag?: string;
}

/** Options of {@link Inbound}. */
export interface InboundOptions {
  maxMessageBytes: number;
  staleMs: number;
  /** A parsed request object, with its sender. */
  onRequest: (sender: Sender, msg: Record<string, unknown>) => void;
  /** Tells `to` (a sender, or the key that a line's first bytes name) what went wrong. */
  onReject: (to: Sender | string, message: string, code: WireErrorCode, ref: ErrorRef) => void;
  /** Whether the sender with this key is a subscriber whose process lives. */
  live: (key: string) => boolean;
}

/** Routing key of a sender: `"<pid>"`, `"<pid>-<client>"`, or `""` without a pid. */
export function senderKey(pid: number | undefined, client: string | undefined): string {
  return pid === undefined ? "" : client === undefined ? `${pid}` : `${pid}-${client}`;
}

/** The sender of a request, or undefined when its `pid` or `client` is malformed. */
export function senderOf(msg: Record<string, unknown>): Sender | undefined {
  const { pid, client } = msg;
  if (pid !== undefined && !(typeof pid === "number" && Number.isSafeInteger(pid) && pid > 0)) {
    return undefined;
  }
  if (client !== undefined && !isClientToken(client)) return undefined;
  return { pid, client, key: senderKey(pid, client) };
}

/** Best guess at the sender key of an unparseable line, from its first bytes. */
export function keyFromHead(head: string): string {
  const pid = /"pid"\s*:\s*(\d{1,10})/.exec(head)?.[1];
  const client = /"client"\s*:\s*"(c[0-9a-f]{1,16})"/.exec(head)?.[1];
  return pid === undefined ? "" : senderKey(Number(pid), client);
}

/** What the error for a line that cannot be handled refers to, from its first bytes. */
export function refFromHead(head: string): ErrorRef {
  const id = idFromHead(head);
  return id === undefined ? {} : { id };
}

/** What {@link parseJson} returns for text that is not JSON. */
export const NOT_JSON: unique symbol = Symbol("not JSON");

/** Parses one line; {@link NOT_JSON} when it is not JSON. */
export function parseJson(line: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return NOT_JSON;
  }
}

/** True for `{}` (without listing the keys of an object that has some). */
export function isEmpty(msg: Record<string, unknown>): boolean {
  for (const _key in msg) return false;
  return true;
}

/** A bounded, printable prefix of input that could not be handled, for logs. */
export function excerpt(line: string): string {
  return JSON.stringify(line.length > 200 ? `${line.slice(0, 200)}...` : line);
}

/** Decodes the shared upstream text pipe. */
export class Inbound {
  readonly #opts: InboundOptions;
  readonly #lines: LineDecoder;
  readonly #fragments: FragmentAssembler;

  constructor(options: InboundOptions) {
    this.#opts = options;
    this.#lines = new LineDecoder({
      maxLineBytes: options.maxMessageBytes,
      onLine: (line, pieces) => this.#onLine(line, pieces),
      onOversize: ({ bytes, head }) => {
        const message = `request ${tooBig(bytes, options.maxMessageBytes, RAISE_SERVER_MESSAGES)}`;
        options.onReject(keyFromHead(head), message, WireErrorCode.TooBig, refFromHead(head));
      },
    });
    this.#fragments = new FragmentAssembler({
      maxMessageBytes: options.maxMessageBytes,
      maxPending: 256,
      maxPendingPerSender: 8,
      staleMs: options.staleMs,
    });
  }

  /** Feeds bytes read from the pipe (copying what it keeps). */
  push(chunk: Buffer): void {
    this.#lines.push(chunk);
  }

  /** Forgets a departed sender's unfinished fragments. */
  dropSender(key: string): void {
    this.#fragments.dropSender(key);
  }

  /**
   * Drops what expired: fragmented messages and an unfinished line begun more than `staleMs`
   * ago, unless a live subscriber is still sending them. Their senders are told.
   */
  sweep(now = Date.now()): void {
    for (const { sender, frag } of this.#fragments.sweep(now, this.#opts.live)) {
      const message = `fragmented message ${frag} was not finished within ${this.#opts.staleMs} ms; dropped`;
      this.#opts.onReject(sender, message, WireErrorCode.BadRequest, { frag });
    }
    const partial = this.#lines.partial();
    if (partial === undefined || now - partial.startedAt <= this.#opts.staleMs) return;
    const key = keyFromHead(partial.head);
    if (this.#opts.live(key) && now - partial.grewAt <= this.#opts.staleMs) return;
    this.#lines.reset();
    if (partial.skipping) return; // its sender was told when it went over the limit
    const message = `an unfinished line (${partial.bytes} bytes, no newline after ${now - partial.startedAt} ms) was dropped`;
    this.#opts.onReject(key, message, WireErrorCode.BadRequest, refFromHead(partial.head));
  }

  #onLine(line: string, pieces?: () => string[]): void {
    let parsed = parseJson(line);
    if (parsed === NOT_JSON && pieces !== undefined) {
      // A torn line (its writer stopped half-way) with a whole message glued on: keep the latter.
      for (const piece of pieces()) {
        const glued = parseJson(piece);
        if (!isRecord(glued)) continue;
        const torn = line.slice(0, line.length - piece.length);
        const message = "malformed message: a torn line (its writer stopped half-way) was dropped";
        this.#opts.onReject(
          keyFromHead(torn),
          message,
          WireErrorCode.BadRequest,
          refFromHead(torn),
        );
        parsed = glued;
        line = piece;
        break;
      }
    }
    if (!isRecord(parsed)) {
      const message =
        parsed === NOT_JSON
          ? "malformed message: not valid JSON"
          : "malformed message: a request must be a JSON object";
      this.#opts.onReject(keyFromHead(line), message, WireErrorCode.BadRequest, refFromHead(line));
      return;
    }
    if ("frag" in parsed) {
      this.#onFragment(parsed, line);
      return;
    }
    if (isEmpty(parsed)) return; // the reference ignores {}
    this.#request(parsed, line);
  }

  #onFragment(msg: Record<string, unknown>, line: string): void {
    const sender = senderOf(msg);
    if (sender === undefined || sender.pid === undefined) {
      const message = "fragment without a valid pid";
      this.#opts.onReject(keyFromHead(line), message, WireErrorCode.BadRequest, {});
      return;
    }
    const result = this.#fragments.add(sender.key, msg);
    if (result.kind === "partial") return;
    if (result.kind === "error") {
      const code =
        result.error.code === "ETOOBIG" ? WireErrorCode.TooBig : WireErrorCode.BadRequest;
      const ref = result.frag === undefined ? {} : { frag: result.frag };
      this.#opts.onReject(sender, result.error.message, code, ref);
      return;
    }
    const whole = parseJson(result.line);
    if (!isRecord(whole) || "frag" in whole) {
      const message = "malformed message: reassembled fragments are not a JSON request";
      this.#opts.onReject(sender, message, WireErrorCode.BadRequest, {
        frag: String(msg["frag"]),
        ...refFromHead(result.line),
      });
      return;
    }
    this.#request(whole, result.line);
  }

  #request(msg: Record<string, unknown>, line: string): void {
    const sender = senderOf(msg);
    if (sender === undefined) {
      // Never serialize unknown input whole: it may be huge or nested too deep to print.
      const message = `dropped a request with an invalid pid or client: ${excerpt(line)}`;
      this.#opts.onReject("", message, WireErrorCode.BadRequest, {});
      return;
    }
    this.#opts.onRequest(sender, msg);
  }
}
