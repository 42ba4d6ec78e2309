/**
 * Event-driven reading of a FIFO: the non-blocking fd is wrapped in a `net.Socket`, so reads are
 * driven by epoll on the event loop, never by the libuv thread pool.
 *
 * Reads land in one buffer shared by every reader of the process (reads are synchronous on the
 * event loop, so they never overlap): no allocation per read and no Readable-stream bookkeeping.
 * A chunk handed to `onData` is valid only during the call: a consumer copies what it keeps.
 * (Each socket is handed its next buffer in advance, so a buffer once shared can never be given
 * away to one consumer.) Readers created with `fresh: true` read the ordinary way instead: Node
 * allocates each chunk, sized to what was read, and the consumer may keep it.
 */
import net from "node:net";

/** Size of the shared read buffer: several times a default pipe's 64 KiB capacity. */
const READ_BUFFER_BYTES = 256 * 1024;

const shared = Buffer.allocUnsafe(READ_BUFFER_BYTES);
const sharedBuffer = (): Buffer => shared;

/** Callbacks of a {@link FifoReader}. */
export interface FifoReaderHandlers {
  /** A chunk read from the pipe (valid only during this call, unless the reader is `fresh`). */
  onData: (chunk: Buffer) => void;
  /** Every writer closed the pipe (only seen by readers opened read-only). */
  onEnd?: () => void;
  onError?: (err: Error) => void;
}

/** Reads chunks from a FIFO fd until closed. */
export class FifoReader {
  readonly #socket: net.Socket;
  #closed = false;

  /**
   * With `fresh: true` every chunk is a buffer of its own that the consumer may keep (for binary
   * frames handed to applications); otherwise reads share one buffer (see above).
   */
  constructor(fd: number, handlers: FifoReaderHandlers, options: { fresh?: boolean } = {}) {
    const deliver = (chunk: Buffer): void => {
      if (this.#closed) return;
      try {
        handlers.onData(chunk);
      } catch (err) {
        // Nothing thrown by a consumer may escape into the stream machinery.
        handlers.onError?.(err as Error);
      }
    };
    if (options.fresh === true) {
      this.#socket = new net.Socket({ fd, readable: true, writable: false });
      this.#socket.on("data", deliver);
    } else {
      // `onread` is a documented option of net.Socket that the type definitions omit.
      const socketOptions: net.SocketConstructorOpts & { onread: net.OnReadOpts } = {
        fd,
        readable: true,
        writable: false,
        onread: {
          buffer: sharedBuffer,
          callback: (nread: number, buf: Uint8Array): boolean => {
            deliver((buf as Buffer).subarray(0, nread));
            return true;
          },
        },
      };
      this.#socket = new net.Socket(socketOptions);
    }
    this.#socket.on("end", () => {
      if (!this.#closed) handlers.onEnd?.();
    });
    this.#socket.on("error", (err) => {
      if (!this.#closed) handlers.onError?.(err);
    });
  }

  /** Lets the process exit while this reader is open. */
  unref(): void {
    this.#socket.unref();
  }

  /** Keeps the process alive while this reader is open. */
  ref(): void {
    this.#socket.ref();
  }

  /** Stops reading and closes the fd. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.destroy();
  }
}
