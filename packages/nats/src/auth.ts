/**
 * Connecting to NATS with the credentials and TLS settings a deployment uses: a `.creds` file
 * (JWT + nkey seed), an nkey seed file, user and password, a token, and TLS (CA, client
 * certificate and key). Everything is passed through to the NATS client; secrets are read from
 * files or the environment, never logged.
 */
import { readFileSync } from "node:fs";
import type { ConnectionOptions, NatsConnection } from "nats";
import { connect, credsAuthenticator, nkeyAuthenticator } from "nats";
import { PipeToolError } from "named-pipe-tools";
import type { NatsAddress } from "./url.js";
import { redact } from "./url.js";

/** TLS settings. */
export interface NatsTlsOptions {
  /** CA certificate file (PEM) the server's certificate must chain to. */
  ca?: string;
  /** Client certificate file (PEM), for servers that verify clients. */
  cert?: string;
  /** Client private key file (PEM). */
  key?: string;
}

/** Credentials and TLS; every field is optional and passed through to the NATS client. */
export interface NatsAuthOptions {
  /** A `.creds` file (user JWT and nkey seed), as `nsc` writes it. */
  creds?: string;
  /** A file holding an nkey seed (`SU...`). */
  nkey?: string;
  /** User name (with `password`). */
  user?: string;
  /** Password (with `user`). */
  password?: string;
  /** Authentication token. */
  token?: string;
  /** TLS: `true` for the system CAs, or files. */
  tls?: boolean | NatsTlsOptions;
}

/** Options of {@link openNats}. */
export interface OpenNatsOptions extends NatsAuthOptions {
  /** Connection name shown by the server's monitoring. */
  name?: string;
  /** How long the first connection may take, in ms [5000]. */
  timeoutMs?: number;
  /** Delay between reconnect attempts, in ms [250]. */
  reconnectTimeWaitMs?: number;
  /** Reconnect attempts before giving up; -1 forever [-1]. */
  maxReconnectAttempts?: number;
  /** Inbox prefix (restrict replies to a subject space that permissions allow) [_INBOX]. */
  inboxPrefix?: string;
}

function readSecret(file: string, what: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(file));
  } catch (err) {
    throw new PipeToolError(
      "EIO",
      `cannot read the ${what} file ${file}: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
}

/** The nats.js connection options for `address` and `options`. */
export function connectionOptions(
  address: NatsAddress,
  options: OpenNatsOptions,
): ConnectionOptions {
  const opts: ConnectionOptions = {
    servers: address.servers,
    timeout: options.timeoutMs ?? 5000,
    reconnect: true,
    maxReconnectAttempts: options.maxReconnectAttempts ?? -1,
    reconnectTimeWait: options.reconnectTimeWaitMs ?? 250,
    reconnectJitter: 50,
    // Fail calls at once when no gateway exports a tool (503), instead of waiting out a timeout.
    noResponders: true,
    headers: true,
  } as ConnectionOptions;
  if (options.name !== undefined) opts.name = options.name;
  if (options.inboxPrefix !== undefined) opts.inboxPrefix = options.inboxPrefix;
  const user = options.user ?? address.user;
  const password = options.password ?? address.password;
  const token = options.token ?? address.token;
  if (user !== undefined) opts.user = user;
  if (password !== undefined) opts.pass = password;
  if (token !== undefined) opts.token = token;
  if (options.creds !== undefined) {
    opts.authenticator = credsAuthenticator(readSecret(options.creds, "credentials"));
  } else if (options.nkey !== undefined) {
    const seed = new TextDecoder().decode(readSecret(options.nkey, "nkey seed")).trim();
    opts.authenticator = nkeyAuthenticator(new TextEncoder().encode(seed));
  }
  const tls = options.tls ?? (address.tls ? true : undefined);
  if (tls !== undefined && tls !== false) {
    opts.tls =
      tls === true
        ? {}
        : {
            ...(tls.ca === undefined ? {} : { caFile: tls.ca }),
            ...(tls.cert === undefined ? {} : { certFile: tls.cert }),
            ...(tls.key === undefined ? {} : { keyFile: tls.key }),
          };
  }
  return opts;
}

/**
 * Connects to NATS. Reconnects by itself afterwards (forever by default).
 * @throws PipeToolError `ENOSERVER` when no server answers, `EIO` for other failures
 *   (authentication, TLS), with the NATS error as `cause`
 */
export async function openNats(
  address: NatsAddress,
  options: OpenNatsOptions = {},
): Promise<NatsConnection> {
  const opts = connectionOptions(address, options);
  try {
    return await connect(opts);
  } catch (err) {
    const where = address.servers.map(redact).join(",");
    const code = (err as { code?: unknown }).code;
    if (code === "CONNECTION_REFUSED" || code === "TIMEOUT") {
      throw new PipeToolError("ENOSERVER", `no NATS server answers at ${where}`, { cause: err });
    }
    throw new PipeToolError(
      "EIO",
      `cannot connect to NATS at ${where}: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
}

/**
 * Leaves NATS: drains (delivers what is buffered) for at most `graceMs`, then closes, which also
 * stops any reconnecting (a server that went away must not keep the process alive).
 */
export async function closeNats(nc: NatsConnection, graceMs = 1000): Promise<void> {
  if (nc.isClosed()) return;
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
  await Promise.race([nc.drain().catch(() => undefined), grace]);
  clearTimeout(timer);
  if (!nc.isClosed()) await nc.close().catch(() => undefined);
}
