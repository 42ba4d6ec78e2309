/**
 * The shape of error replies. Our clients send an id with every request that expects a reply,
 * and a client token; a request with neither comes from a client of the Python project, whose
 * cpipe prints the lone value of a one-field reply and anything more as raw JSON. Its error
 * replies therefore carry only `message`, exactly as that project's servers send them.
 */

/**
 * The fields of an error reply (besides `event` and `id`): `message`, plus our `code` when
 * `withCode` (see {@link ours}).
 */
export function errorFields(
  message: string,
  code: string,
  withCode: boolean,
): { message: string; code?: string } {
  return withCode ? { message, code } : { message };
}

/** Whether a request came from one of our clients: it carried an id, or a client token. */
export function ours(sender: { client?: string | undefined }, id: unknown): boolean {
  return id !== undefined || sender.client !== undefined;
}
