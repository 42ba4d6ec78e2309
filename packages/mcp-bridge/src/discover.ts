/**
 * Which pipe tools are live in a directory: upstream pipes (`tool-<name>`) that some process
 * reads. Only upstream pipes are probed (a non-blocking write-only open, harmless to servers);
 * client and data pipes are never touched.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { hasReader } from "../../../src/transport/fifo.js";
import { classifyPipeName } from "../../../src/transport/paths.js";

/** Whether tool `name` has a live server in `dir`. A pipe that is not ours counts as not live. */
export async function isLive(dir: string, name: string): Promise<boolean> {
  return hasReader(path.join(dir, `tool-${name}`)).catch(() => false);
}

/** Names of the tools with a live server in `dir`, sorted. An unreadable `dir` has none. */
export async function liveTools(dir: string): Promise<string[]> {
  const files = await fs.readdir(dir).catch(() => [] as string[]);
  const names = files.flatMap((file) => {
    const kind = classifyPipeName(file);
    return kind?.kind === "upstream" ? [kind.tool] : [];
  });
  const live = await Promise.all(
    names.map(async (name) => ((await isLive(dir, name)) ? name : "")),
  );
  return live.filter((name) => name !== "").sort();
}
