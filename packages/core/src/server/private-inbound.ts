/**
 * The server's side of one client's private upstream pipe (protocol revision 2): every line on
 * it comes from that client, whatever its `pid` or `client` fields say, and is handled whole
 * (no fragments). Like the shared pipe, nothing it carries can throw out of here.
 */
import { BinaryFrameDecoder, FrameJoiner } from "../framing/binary.js";
import { LineDecoder } from "../framing/lines.js";
import { RAISE_SERVER_FRAMES, RAISE_SERVER_MESSAGES, tooBig } from "../protocol/limits.js";
import { WireErrorCode, isRecord } from "../protocol/messages.js";
import type { ErrorRef } from "./inbound.js";
import { NOT_JSON, isEmpty, parseJson, refFromHead } from "./inbound.js";
import type { ChunkSink } from "./subscriptions.js";

/** Options of {@link privateTextSink}. */
export interface PrivateTextOptions {
  maxMessageBytes: number;
  /** A parsed request object. */
  onRequest: (msg: Record<string, unknown>) => void;
  /** Tells the client what went wrong. */
  onReject: (message: string, code: WireErrorCode, ref: ErrorRef) => void;
}

/** Decodes one client's private upstream text pipe. */
export function privateTextSink(options: PrivateTextOptions): ChunkSink {
  const { onRequest, onReject } = options;
  const lines = new LineDecoder({
    maxLineBytes: options.maxMessageBytes,
    onLine: (line) => {
      const msg = parseJson(line);
      if (!isRecord(msg)) {
        const message =
          msg === NOT_JSON
            ? "malformed message: not valid JSON"
            : "malformed message: a request must be a JSON object";
        onReject(message, WireErrorCode.BadRequest, refFromHead(line));
        return;
      }
      if (!isEmpty(msg)) onRequest(msg);
    },
    onOversize: ({ bytes, head }) => {
      const message = `request ${tooBig(bytes, options.maxMessageBytes, RAISE_SERVER_MESSAGES)}`;
      onReject(message, WireErrorCode.TooBig, refFromHead(head));
    },
  });
  return { push: (chunk) => lines.push(chunk) };
}

/** Options of {@link privateDataSink}. */
export interface PrivateDataOptions {
  maxFrameBytes: number;
  onFrame: (payload: Buffer) => void;
  onProblem: (message: string) => void;
}

/**
 * Decodes one client's private data upstream pipe: `[u32 BE length][payload]` frames, as on a
 * downstream data pipe (fragment bit allowed). The pipe has one writer, so an impossible header
 * means that writer is broken: what it sent is dropped and the problem reported.
 */
export function privateDataSink(options: PrivateDataOptions): ChunkSink {
  const joiner = new FrameJoiner(options.maxFrameBytes);
  const decoder = new BinaryFrameDecoder({
    withSender: false,
    maxFrameBytes: options.maxFrameBytes,
    onFrame: ({ payload, more }) => {
      const whole = joiner.add(payload, more);
      if (whole instanceof Error)
        options.onProblem(`${whole.message}; raise it with ${RAISE_SERVER_FRAMES}`);
      else if (whole !== undefined) options.onFrame(whole);
    },
    onError: (err) => options.onProblem(err.message),
  });
  return { push: (chunk) => decoder.push(chunk) };
}
