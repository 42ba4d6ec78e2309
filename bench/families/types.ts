/**
 * What every transport family provides to the bench: a server that runs in its own process, and
 * a client connection that the client process drives.
 */

/** A running server of one family. */
export interface ServerHandle {
  /** What a client needs to reach it (a directory, a socket path, a URL...). */
  address: string;
  /** Stops serving. */
  close(): Promise<void>;
}

/** One client connection. Optional methods are the workloads a family supports. */
export interface Conn {
  /** One small JSON request and its reply. */
  ping(): Promise<void>;
  /** Asks for `n` streamed events and resolves once the last one arrived; returns how many came. */
  stream?(n: number): Promise<number>;
  /** Sends one JSON message carrying `data` and waits for the echo. */
  echoJson?(data: string): Promise<void>;
  /** Sends one binary frame and waits for the echo. */
  echoBinary?(payload: Buffer): Promise<void>;
  /**
   * Generates `n` chat tokens (greedy, never stopping early) and says how many came and the
   * time per token from the first to the last, µs.
   */
  tokens?(n: number): Promise<{ tokens: number; perTokenUs: number }>;
  /** Calls `fn` for every broadcast this connection receives. */
  onBroadcast?(fn: (msg: Record<string, unknown>) => void): void;
  /** Asks the server to broadcast `data` to every subscriber, and waits for its reply. */
  publish?(data: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

/** How a client connects. */
export interface ConnectOptions {
  /** Open a binary data channel too (families that have a separate one). */
  data: boolean;
}

/** A transport family: `serve` runs in the server process, `connect` in the client process. */
export interface Family {
  serve(dir: string): Promise<ServerHandle>;
  connect(address: string, options: ConnectOptions): Promise<Conn>;
}
