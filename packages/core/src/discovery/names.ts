/**
 * What a `tool-*` pipe name says: which tool it belongs to, its role, and for a client's pipe
 * the pid (and client token) of the client that made it.
 */
import { classifyPipeName } from "../transport/paths.js";
import { processAlive } from "../util/process-alive.js";

/** The role of a pipe in the tool protocol. */
export type PipeRole =
  /** `tool-<name>`: every client -> the server; held open by the server. */
  | "upstream"
  /** `tool-<name>-data`: binary frames, every client -> the server. */
  | "data"
  /** `tool-<name>-<pid>[-c<hex>]`: the server -> one client. */
  | "downstream"
  /** `tool-<name>-data-<pid>[-c<hex>]`: binary frames, the server -> one client. */
  | "data-downstream"
  /** `tool-<name>-<pid>-c<hex>-up`: one client's private upstream (protocol revision 2). */
  | "client-upstream"
  /** `tool-<name>-data-<pid>-c<hex>-up`: one client's private data upstream. */
  | "data-client-upstream";

/** A parsed pipe name. */
export interface PipeName {
  role: PipeRole;
  /** The tool's name. */
  tool: string;
  /** The client's pid, for client pipes. */
  pid?: number;
  /** The client's token, for pipes of our clients. */
  client?: string;
}

const DATA_CLIENT_UPSTREAM_RE = /^(.+)-data-(\d{1,10})-(c[0-9a-f]{1,16})-up$/;
const CLIENT_UPSTREAM_RE = /^(.+)-(\d{1,10})-(c[0-9a-f]{1,16})-up$/;
const DATA_DOWNSTREAM_RE = /^(.+)-data-(\d{1,10})(?:-(c[0-9a-f]{1,16}))?$/;
const DOWNSTREAM_RE = /^(.+)-(\d{1,10})(?:-(c[0-9a-f]{1,16}))?$/;

/** Parses a file name such as `tool-chat-1234`; null when it is not a tool pipe name. */
export function parsePipeName(fileName: string): PipeName | null {
  const kind = classifyPipeName(fileName);
  if (kind === null) return null;
  if (kind.kind === "upstream") return { role: "upstream", tool: kind.tool };
  const rest = fileName.slice("tool-".length);
  const client = (m: RegExpExecArray, role: PipeRole): PipeName => ({
    role,
    tool: m[1]!,
    pid: Number(m[2]),
    ...(m[3] === undefined ? {} : { client: m[3] }),
  });
  const dataUp = DATA_CLIENT_UPSTREAM_RE.exec(rest);
  if (dataUp !== null) return client(dataUp, "data-client-upstream");
  const up = CLIENT_UPSTREAM_RE.exec(rest);
  if (up !== null) return client(up, "client-upstream");
  const dataDown = DATA_DOWNSTREAM_RE.exec(rest);
  if (dataDown !== null) return client(dataDown, "data-downstream");
  if (rest.endsWith("-data") && rest.length > 5) return { role: "data", tool: rest.slice(0, -5) };
  const down = DOWNSTREAM_RE.exec(rest);
  if (down !== null) return client(down, "downstream");
  return null;
}

/** Whether process `pid` exists (a process of another user counts). */
export const pidAlive: (pid: number) => boolean = processAlive;
