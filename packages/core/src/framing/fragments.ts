/**
 * Text fragments: how a JSON line longer than one atomic pipe write travels on the shared
 * upstream pipe. The line's UTF-8 bytes are cut into pieces, each sent base64-encoded in a
 * fragment line small enough to be written atomically:
 *
 *   {"pid":123,"client":"c9f..","frag":"7","seq":0,"fin":false,"b64":"..."}
 *
 * The receiver joins the pieces of one (sender, frag) in order and handles the result as if it
 * had arrived as one line. Lines that fit in one atomic write are sent as they are.
 */
import { PipeToolError } from "../errors.js";

/** Identifies the sender in fragment lines. */
export interface FragmentSender {
  pid: number;
  client?: string | undefined;
}

/**
 * Splits `line` (JSON text, no newline) into newline-terminated pieces of at most `maxWrite`
 * bytes each. Returns `[line + "\n"]` when it already fits.
 */
export function fragmentLine(
  line: string,
  sender: FragmentSender,
  fragId: string,
  maxWrite: number,
): Buffer[] {
  const whole = Buffer.from(line + "\n", "utf8");
  if (whole.length <= maxWrite) return [whole];
  const bytes = whole.subarray(0, whole.length - 1);
  const head =
    `{"pid":${sender.pid}` +
    (sender.client === undefined ? "" : `,"client":${JSON.stringify(sender.client)}`) +
    `,"frag":${JSON.stringify(fragId)},"seq":`;
  // Room for: head, seq digits, ',"fin":false,"b64":"', base64, '"}\n'.
  const overhead = Buffer.byteLength(head) + 10 + 21 + 3;
  const piece = Math.floor((maxWrite - overhead) / 4) * 3;
  if (piece <= 0) throw new PipeToolError("ETOOBIG", `maxWrite ${maxWrite} is too small`);
  const out: Buffer[] = [];
  for (let offset = 0, seq = 0; offset < bytes.length; offset += piece, seq++) {
    const end = Math.min(bytes.length, offset + piece);
    const fin = end === bytes.length;
    const b64 = bytes.toString("base64", offset, end);
    out.push(Buffer.from(`${head}${seq},"fin":${fin},"b64":"${b64}"}\n`, "latin1"));
  }
  return out;
}

/** Limits for {@link FragmentAssembler}. */
export interface FragmentLimits {
  /** Largest reassembled message in bytes. */
  maxMessageBytes: number;
  /** Most unfinished messages held at once across all senders. */
  maxPending: number;
  /** An unfinished message not extended for this long is dropped, in milliseconds. */
  staleMs: number;
}

interface Partial {
  parts: Buffer[];
  bytes: number;
  nextSeq: number;
  touched: number;
}

/** Result of feeding one fragment. */
export type FragmentResult =
  | { kind: "partial" }
  | { kind: "complete"; line: string }
  | { kind: "error"; error: PipeToolError };

/** Reassembles fragment lines into whole lines, with bounded memory. */
export class FragmentAssembler {
  readonly #limits: FragmentLimits;
  readonly #partials = new Map<string, Partial>();
  /** Messages already refused: their remaining fragments are skipped without more errors. */
  readonly #refused = new Set<string>();

  constructor(limits: FragmentLimits) {
    this.#limits = limits;
  }

  /** Number of unfinished messages held. */
  get pending(): number {
    return this.#partials.size;
  }

  /** Feeds one parsed fragment message (one with a `frag` field). */
  add(senderKey: string, msg: Record<string, unknown>, now = Date.now()): FragmentResult {
    const { frag, seq, fin, b64 } = msg;
    if (
      typeof frag !== "string" ||
      typeof seq !== "number" ||
      typeof fin !== "boolean" ||
      typeof b64 !== "string"
    ) {
      return { kind: "error", error: new PipeToolError("EPROTO", "malformed fragment") };
    }
    const key = `${senderKey}\0${frag}`;
    if (this.#refused.has(key)) {
      if (fin) this.#refused.delete(key);
      return { kind: "partial" };
    }
    const result = this.#add(key, frag, seq, fin, b64, now);
    if (result.kind === "error" && !fin) {
      if (this.#refused.size >= 1024) this.#refused.clear();
      this.#refused.add(key);
    }
    return result;
  }

  #add(
    key: string,
    frag: string,
    seq: number,
    fin: boolean,
    b64: string,
    now: number,
  ): FragmentResult {
    let partial = this.#partials.get(key);
    if (partial === undefined) {
      if (seq !== 0) {
        return {
          kind: "error",
          error: new PipeToolError("EPROTO", `fragment ${frag} starts at seq ${seq}, not 0`),
        };
      }
      this.sweep(now);
      if (this.#partials.size >= this.#limits.maxPending) {
        return {
          kind: "error",
          error: new PipeToolError("ETOOBIG", "too many unfinished fragmented messages"),
        };
      }
      partial = { parts: [], bytes: 0, nextSeq: 0, touched: now };
      this.#partials.set(key, partial);
    }
    if (seq !== partial.nextSeq) {
      this.#partials.delete(key);
      return {
        kind: "error",
        error: new PipeToolError(
          "EPROTO",
          `fragment ${frag}: expected seq ${partial.nextSeq}, got ${seq}`,
        ),
      };
    }
    const piece = Buffer.from(b64, "base64");
    partial.bytes += piece.length;
    if (partial.bytes > this.#limits.maxMessageBytes) {
      this.#partials.delete(key);
      return {
        kind: "error",
        error: new PipeToolError(
          "ETOOBIG",
          `message exceeds the limit of ${this.#limits.maxMessageBytes} bytes`,
        ),
      };
    }
    partial.parts.push(piece);
    partial.nextSeq++;
    partial.touched = now;
    if (!fin) return { kind: "partial" };
    this.#partials.delete(key);
    return { kind: "complete", line: Buffer.concat(partial.parts, partial.bytes).toString("utf8") };
  }

  /** Drops unfinished messages of one sender (it went away). */
  dropSender(senderKey: string): void {
    const prefix = `${senderKey}\0`;
    for (const key of this.#partials.keys()) if (key.startsWith(prefix)) this.#partials.delete(key);
    for (const key of this.#refused) if (key.startsWith(prefix)) this.#refused.delete(key);
  }

  /** Drops unfinished messages older than `staleMs`. */
  sweep(now = Date.now()): void {
    for (const [key, p] of this.#partials) {
      if (now - p.touched > this.#limits.staleMs) this.#partials.delete(key);
    }
  }
}
