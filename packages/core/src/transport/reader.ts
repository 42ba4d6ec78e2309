/**
 * Event-driven reading of a FIFO: the non-blocking fd is wrapped in a `net.Socket`, so reads are
 * driven by epoll on the event loop, never by the libuv thread pool.
 */
import net from "node:net";

/** Callbacks of a {@link FifoReader}. */
export interface FifoReaderHandlers {
  onData: (chunk: Buffer) => void;
  /** Every writer closed the pipe (only seen by readers opened read-only). */
  onEnd?: () => void;
  onError?: (err: Error) => void;
}

/** Reads chunks from a FIFO fd until closed. */
export class FifoReader {
  readonly #socket: net.Socket;
  #closed = false;

  constructor(fd: number, handlers: FifoReaderHandlers) {
    this.#socket = new net.Socket({ fd, readable: true, writable: false });
    this.#socket.on("data", handlers.onData);
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
