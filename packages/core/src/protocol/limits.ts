/**
 * The wording of size-limit errors, one for every side, so that each says what was too big, by
 * how much, and which setting raises the limit.
 */

/** `too big: N bytes, limit M; raise it with HOW`. */
export function tooBig(bytes: number, limit: number, raise: string): string {
  return `too big: ${bytes} bytes, limit ${limit}; raise it with ${raise}`;
}

/** Where a server's message limit is raised. */
export const RAISE_SERVER_MESSAGES = "the server's limits.maxMessageBytes";
/** Where a server's frame limit is raised. */
export const RAISE_SERVER_FRAMES = "the server's limits.maxFrameBytes";
/** Where a client's reply limit is raised. */
export const RAISE_CLIENT_MESSAGES = "maxMessageBytes in ToolClient.connect";
