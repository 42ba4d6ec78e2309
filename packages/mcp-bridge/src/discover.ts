/**
 * Which pipe tools are live in a directory, through the core's discovery (upstream pipes that
 * some process reads; client and data pipes are never touched).
 */
import path from "node:path";
import { scanPipes } from "named-pipe-tools";

/** Whether tool `name` has a live server in `dir`. A pipe that is not ours counts as not live. */
export async function isLive(dir: string, name: string): Promise<boolean> {
  const pipes = await scanPipes(dir).catch(() => []);
  const upstream = path.join(dir, `tool-${name}`);
  return pipes.some((p) => p.path === upstream && p.status === "live");
}

/** Names of the tools with a live server in `dir`, sorted. An unreadable `dir` has none. */
export async function liveTools(dir: string): Promise<string[]> {
  const pipes = await scanPipes(dir).catch(() => []);
  return pipes
    .filter((p) => p.role === "upstream" && p.status === "live")
    .map((p) => p.tool)
    .sort();
}
