/**
 * NATS addresses as cpipe takes them: `nats://HOST:PORT` (a server, or several joined by
 * commas: `nats://h1:4222,h2:4222`), optionally with `USER:PASSWORD@` or `TOKEN@`, optionally
 * followed by `/NAME` (a tool). `tls://` asks for TLS.
 */
import { PipeToolError, validateToolName } from "named-pipe-tools";

/** A parsed NATS address. */
export interface NatsAddress {
  /** Server URLs for the client, credentials removed (`nats://h:p` or `tls://h:p`). */
  servers: string[];
  /** The tool named after the servers, if any. */
  tool: string | undefined;
  /** `USER` of `USER:PASSWORD@`. */
  user?: string;
  /** `PASSWORD` of `USER:PASSWORD@`. */
  password?: string;
  /** `TOKEN` of `TOKEN@`. */
  token?: string;
  /** `tls://` was used. */
  tls: boolean;
}

const SCHEME_RE = /^(nats|tls):\/\//i;

/** Whether `arg` looks like a NATS address (`nats://...` or `tls://...`). */
export function isNatsUrl(arg: string): boolean {
  return SCHEME_RE.test(arg);
}

function badUrl(url: string, why: string): PipeToolError {
  return new PipeToolError("EUSAGE", `bad NATS address '${redact(url)}': ${why}`);
}

/** `url` with any password or token replaced by `***`, for messages and logs. */
export function redact(url: string): string {
  return url.replace(/^((?:nats|tls):\/\/)[^@/]*@/i, "$1***@");
}

/**
 * Parses a NATS address. `tool`: "required" (`nats://h:p/NAME`), "none" (`nats://h:p`), or
 * "optional".
 * @throws PipeToolError `EUSAGE` naming what is wrong, `EBADNAME` for a bad tool name
 */
export function parseNatsUrl(
  url: string,
  tool: "required" | "none" | "optional" = "optional",
): NatsAddress {
  const scheme = SCHEME_RE.exec(url);
  if (scheme === null) throw badUrl(url, "it must start with nats:// or tls://");
  const tls = scheme[1]!.toLowerCase() === "tls";
  let rest = url.slice(scheme[0].length);
  const slash = rest.indexOf("/");
  const path = slash === -1 ? "" : rest.slice(slash + 1);
  rest = slash === -1 ? rest : rest.slice(0, slash);
  const out: NatsAddress = { servers: [], tool: undefined, tls };
  const at = rest.lastIndexOf("@");
  if (at !== -1) {
    const cred = rest.slice(0, at);
    rest = rest.slice(at + 1);
    const colon = cred.indexOf(":");
    if (colon === -1) out.token = decodeURIComponent(cred);
    else {
      out.user = decodeURIComponent(cred.slice(0, colon));
      out.password = decodeURIComponent(cred.slice(colon + 1));
    }
  }
  for (const hostPort of rest.split(",")) {
    const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(hostPort);
    if (m === null) throw badUrl(url, `'${hostPort}' is not HOST or HOST:PORT`);
    const port = m[2] === undefined ? 4222 : Number(m[2]);
    if (port < 1 || port > 65535) throw badUrl(url, `port ${m[2]} is out of range`);
    out.servers.push(`${tls ? "tls" : "nats"}://${m[1]}:${port}`);
  }
  if (path !== "") out.tool = validateToolName(path);
  if (tool === "required" && out.tool === undefined) {
    throw badUrl(url, "it names no tool; write nats://HOST:PORT/NAME");
  }
  if (tool === "none" && out.tool !== undefined) {
    throw badUrl(url, `a tool name ('${out.tool}') does not belong here; write nats://HOST:PORT`);
  }
  return out;
}
