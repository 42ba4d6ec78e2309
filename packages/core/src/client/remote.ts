/**
 * Tools on other machines: a target such as `nats://HOST:PORT/NAME` (or `tls://...`) is reached
 * through the package named-pipe-tools-nats, which gives a {@link ClientTransport} to it. The
 * core does not depend on that package: it is loaded by name, only when such a target is
 * named, wherever it is installed (as `cpipe --serve TYPE` finds a server type).
 */
import type { ClientTransport } from "./transport.js";

const REMOTE_RE = /^(nats|tls):\/\//i;

/** The package that carries remote targets. */
const NATS_PACKAGE = "named-pipe-tools-nats";

/** Makes the transport for a remote target (the contract of the package's export). */
type TransportFactory = (url: string, options: Record<string, unknown>) => ClientTransport;

/** Whether `target` names a tool on another machine (`nats://...` or `tls://...`). */
export function isRemoteTarget(target: unknown): target is string {
  return typeof target === "string" && REMOTE_RE.test(target);
}

/**
 * The transport to the remote tool `url` names, from named-pipe-tools-nats's `natsTransport`.
 * `options` go to it as they are (the session's options, `data`, and NATS's own: credentials,
 * TLS, subject prefix).
 * @throws PipeToolError `ENOTINSTALLED` (its message gives the install command), `EBADPACKAGE`,
 *   and what the package throws for a bad address (`EUSAGE`)
 */
export async function remoteTransport(
  url: string,
  options: Record<string, unknown>,
): Promise<ClientTransport> {
  // Loaded here, not at start-up: a client of local tools never needs it.
  const { loadPackageFunction } = await import("../serve/load-type.js");
  const create = await loadPackageFunction<TransportFactory>(
    NATS_PACKAGE,
    "pipe tools over NATS",
    "natsTransport",
  );
  return create(url, options);
}
