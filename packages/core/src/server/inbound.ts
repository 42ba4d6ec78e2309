/**
 * The server's side of the shared upstream text pipe: splits lines, parses them, joins
 * fragments, and hands well-formed requests on with their sender. Bad lines are answered when
 * their sender can be told, and logged otherwise.
 */
import { FragmentAssembler } from "../framing/fragments.js";
import { LineDecoder } from "../framing/lines.js";
import { WireErrorCode, isRecord } from "../protocol/messages.js";
import { isClientToken } from "../transport/paths.js";
import type { Sender } from "./types.js";

/** Options of {@link Inbound}. */
export interface InboundOptions {
  maxMessageBytes: number;
  staleMs: number;
  /** A parsed request object, with its sender. */
  onRequest: (sender: Sender, msg: Record<string, unknown>) => void;
  /** Tells `sender` (or whoever the line's first bytes name, for `head`) what went wrong. */
  onReject: (to: Sender | string, message: string, code: WireErrorCode) => void;
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
  const p = pid;
  const c = client;
  return { pid: p, client: c, key: senderKey(p, c) };
}

/** Best guess at the sender key of an unparseable line, from its first bytes. */
function keyFromHead(head: string): string {
  const pid = /"pid"\s*:\s*(\d{1,10})/.exec(head)?.[1];
  const client = /"client"\s*:\s*"(c[0-9a-f]{1,16})"/.exec(head)?.[1];
  return pid === undefined ? "" : senderKey(Number(pid), client);
}

/** Decodes the upstream text pipe. */
export class Inbound {
  readonly #opts: InboundOptions;
  readonly #lines: LineDecoder;
  readonly #fragments: FragmentAssembler;

  constructor(options: InboundOptions) {
    this.#opts = options;
    this.#lines = new LineDecoder({
      maxLineBytes: options.maxMessageBytes,
      onLine: (line) => this.#onLine(line),
      onOversize: ({ bytes, head }) => {
        const message = `message of ${bytes} bytes exceeds the limit of ${options.maxMessageBytes}`;
        options.onReject(keyFromHead(head), message, WireErrorCode.TooBig);
      },
    });
    this.#fragments = new FragmentAssembler({
      maxMessageBytes: options.maxMessageBytes,
      maxPending: 256,
      staleMs: options.staleMs,
    });
  }

  /** Feeds bytes read from the pipe. */
  push(chunk: Buffer): void {
    this.#lines.push(chunk);
  }

  /** Forgets a departed sender's unfinished fragments. */
  dropSender(key: string): void {
    this.#fragments.dropSender(key);
  }

  /** Drops stale unfinished fragments. */
  sweep(): void {
    this.#fragments.sweep();
  }

  #onLine(line: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      this.#opts.onReject(
        keyFromHead(line),
        "malformed message: not valid JSON",
        WireErrorCode.BadRequest,
      );
      return;
    }
    if (!isRecord(msg)) {
      const message = "malformed message: a request must be a JSON object";
      this.#opts.onReject(keyFromHead(line), message, WireErrorCode.BadRequest);
      return;
    }
    if ("frag" in msg) {
      this.#onFragment(msg, line);
      return;
    }
    if (Object.keys(msg).length === 0) return; // the reference ignores {}
    this.#request(msg);
  }

  #onFragment(msg: Record<string, unknown>, line: string): void {
    const sender = senderOf(msg);
    if (sender === undefined || sender.pid === undefined) {
      this.#opts.onReject(
        keyFromHead(line),
        "fragment without a valid pid",
        WireErrorCode.BadRequest,
      );
      return;
    }
    const result = this.#fragments.add(sender.key, msg);
    if (result.kind === "partial") return;
    if (result.kind === "error") {
      const code =
        result.error.code === "ETOOBIG" ? WireErrorCode.TooBig : WireErrorCode.BadRequest;
      this.#opts.onReject(sender, result.error.message, code);
      return;
    }
    let whole: unknown;
    try {
      whole = JSON.parse(result.line);
    } catch {
      whole = undefined;
    }
    if (!isRecord(whole) || "frag" in whole) {
      const message = "malformed message: reassembled fragments are not a JSON request";
      this.#opts.onReject(sender, message, WireErrorCode.BadRequest);
      return;
    }
    this.#request(whole);
  }

  #request(msg: Record<string, unknown>): void {
    const sender = senderOf(msg);
    if (sender === undefined) {
      const head = JSON.stringify(msg).slice(0, 200);
      this.#opts.onReject(
        "",
        `dropped a request with an invalid pid or client: ${head}`,
        WireErrorCode.BadRequest,
      );
      return;
    }
    this.#opts.onRequest(sender, msg);
  }
}
