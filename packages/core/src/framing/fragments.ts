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
  /** Most unfinished messages held for one sender [maxPending]. */
  maxPendingPerSender?: number;
  /** Most bytes held for the unfinished messages of all senders [4 x maxMessageBytes]. */
  maxHeldBytes?: number;
  /**
   * An unfinished message is dropped this long after its first fragment, in milliseconds, unless
   * its sender is live (see {@link FragmentAssembler.sweep}).
   */
  staleMs: number;
}

interface Partial {
  sender: string;
  frag: string;
  parts: Buffer[];
  bytes: number;
  nextSeq: number;
  startedAt: number;
}

/** Result of feeding one fragment. */
export type FragmentResult =
  | { kind: "partial" }
  | { kind: "complete"; line: string }
  | { kind: "error"; error: PipeToolError; frag?: string };

/** An unfinished message that {@link FragmentAssembler.sweep} dropped. */
export interface DroppedFragment {
  sender: string;
  frag: string;
}

/** Reassembles fragment lines into whole lines, with bounded memory. */
export class FragmentAssembler {
  readonly #limits: Required<FragmentLimits>;
  readonly #partials = new Map<string, Partial>();
  readonly #perSender = new Map<string, number>();
  #held = 0;
  /** Messages already refused: their remaining fragments are skipped without more errors. */
  readonly #refused = new Set<string>();

  constructor(limits: FragmentLimits) {
    this.#limits = {
      maxPendingPerSender: limits.maxPending,
      maxHeldBytes: 4 * limits.maxMessageBytes,
      ...limits,
    };
  }

  /** Number of unfinished messages held. */
  get pending(): number {
    return this.#partials.size;
  }

  /** Bytes held for unfinished messages. */
  get held(): number {
    return this.#held;
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
      const result: FragmentResult = {
        kind: "error",
        error: new PipeToolError("EPROTO", "malformed fragment"),
      };
      if (typeof frag === "string" && frag.length <= 128) result.frag = frag;
      return result;
    }
    const key = `${senderKey}\0${frag}`;
    if (this.#refused.has(key)) {
      if (fin) this.#refused.delete(key);
      return { kind: "partial" };
    }
    const result = this.#add(key, senderKey, frag, seq, fin, b64, now);
    if (result.kind === "error") {
      result.frag = frag;
      if (!fin) {
        if (this.#refused.size >= 1024) this.#refused.clear();
        this.#refused.add(key);
      }
    }
    return result;
  }

  #add(
    key: string,
    sender: string,
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
      if ((this.#perSender.get(sender) ?? 0) >= this.#limits.maxPendingPerSender) {
        const limit = this.#limits.maxPendingPerSender;
        return {
          kind: "error",
          error: new PipeToolError(
            "ETOOBIG",
            `too many unfinished fragmented messages from this client (limit ${limit})`,
          ),
        };
      }
      if (this.#partials.size >= this.#limits.maxPending) {
        return {
          kind: "error",
          error: new PipeToolError("ETOOBIG", "too many unfinished fragmented messages"),
        };
      }
      partial = { sender, frag, parts: [], bytes: 0, nextSeq: 0, startedAt: now };
      this.#partials.set(key, partial);
      this.#perSender.set(sender, (this.#perSender.get(sender) ?? 0) + 1);
    }
    if (seq !== partial.nextSeq) {
      this.#remove(key, partial);
      return {
        kind: "error",
        error: new PipeToolError(
          "EPROTO",
          `fragment ${frag}: expected seq ${partial.nextSeq}, got ${seq}`,
        ),
      };
    }
    const piece = Buffer.from(b64, "base64");
    if (partial.bytes + piece.length > this.#limits.maxMessageBytes) {
      this.#remove(key, partial);
      return {
        kind: "error",
        error: new PipeToolError(
          "ETOOBIG",
          `message exceeds the limit of ${this.#limits.maxMessageBytes} bytes`,
        ),
      };
    }
    if (!fin && this.#held + piece.length > this.#limits.maxHeldBytes) {
      this.#remove(key, partial);
      return {
        kind: "error",
        error: new PipeToolError(
          "ETOOBIG",
          `the server holds too many unfinished fragmented messages (${this.#held} bytes); send it again later`,
        ),
      };
    }
    partial.parts.push(piece);
    partial.bytes += piece.length;
    this.#held += piece.length;
    partial.nextSeq++;
    if (!fin) return { kind: "partial" };
    this.#remove(key, partial);
    return { kind: "complete", line: Buffer.concat(partial.parts, partial.bytes).toString("utf8") };
  }

  #remove(key: string, partial: Partial): void {
    if (this.#partials.get(key) !== partial) return;
    this.#partials.delete(key);
    this.#held -= partial.bytes;
    const left = (this.#perSender.get(partial.sender) ?? 1) - 1;
    if (left > 0) this.#perSender.set(partial.sender, left);
    else this.#perSender.delete(partial.sender);
  }

  /** Drops unfinished messages of one sender (it went away). */
  dropSender(senderKey: string): void {
    for (const [key, p] of this.#partials) if (p.sender === senderKey) this.#remove(key, p);
    const prefix = `${senderKey}\0`;
    for (const key of this.#refused) if (key.startsWith(prefix)) this.#refused.delete(key);
  }

  /**
   * Drops unfinished messages begun more than `staleMs` ago, except those of senders for which
   * `live` is true (a live subscriber may pause between fragments: it is bounded by the caps,
   * and its messages are dropped when it leaves). Returns what was dropped.
   */
  sweep(now = Date.now(), live: (sender: string) => boolean = () => false): DroppedFragment[] {
    const dropped: DroppedFragment[] = [];
    for (const [key, p] of this.#partials) {
      if (now - p.startedAt > this.#limits.staleMs && !live(p.sender)) {
        this.#remove(key, p);
        dropped.push({ sender: p.sender, frag: p.frag });
      }
    }
    return dropped;
  }
}
