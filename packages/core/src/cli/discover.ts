/**
 * `cpipe --list|--pid|--clear [DIR]`: the live tools in a pipe directory (with description and
 * state, and with `--pid` the processes behind them), and the orphaned pipes, which `--clear`
 * removes.
 */
import path from "node:path";
import type { PipeHolder } from "../discovery/holders.js";
import { findHolders } from "../discovery/holders.js";
import type { ToolSummary } from "../discovery/probe.js";
import { probeTool } from "../discovery/probe.js";
import type { PipeInfo } from "../discovery/scan.js";
import { scanPipes } from "../discovery/scan.js";
import { clearOrphans } from "../discovery/clear.js";
import { defaultPipeDir } from "../transport/paths.js";
import type { DiscoverCommand } from "./args.js";
import { ExitCode, describeFailure, printError } from "./errors.js";
import { shellWord } from "../util/shell-word.js";
import { exitOnInterrupt } from "./interrupt.js";

/** One live (or starting) tool, as `--list` / `--pid` report it. */
interface ToolRow {
  pipe: PipeInfo;
  summary: ToolSummary | undefined;
  server: PipeHolder[] | undefined;
  clients: PipeHolder[] | undefined;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;

function out(line = ""): void {
  process.stdout.write(`${line}\n`);
}

function pidList(holders: readonly PipeHolder[]): string {
  if (holders.length === 0) return "none seen";
  return holders
    .map((h) => (h.command === undefined ? `${h.pid}` : `${h.pid} (${h.command})`))
    .join(", ");
}

/** Servers and clients of each tool, from the processes holding its pipes. */
function attachHolders(rows: ToolRow[], pipes: readonly PipeInfo[]): boolean {
  const holders = findHolders(pipes.map((p) => p.path));
  if (holders === undefined) return false;
  for (const row of rows) {
    const clientPipes = pipes.filter(
      (p) => p.dir === row.pipe.dir && p.tool === row.pipe.tool && p.role === "downstream",
    );
    const clients = new Map<number, PipeHolder>();
    for (const p of clientPipes) {
      if (p.status !== "live" || p.pid === undefined) continue;
      const self = holders.get(p.path)?.find((h) => h.pid === p.pid);
      clients.set(p.pid, self ?? { pid: p.pid, access: undefined, command: undefined });
    }
    const readers = (holders.get(row.pipe.path) ?? []).filter(
      (h) => h.access !== "write" && !clients.has(h.pid),
    );
    row.server = [...new Map(readers.map((h) => [h.pid, h])).values()];
    row.clients = [...clients.values()];
  }
  return true;
}

function printDir(dir: string, rows: ToolRow[], pipes: PipeInfo[], withPids: boolean): void {
  const orphans = pipes.filter((p) => p.status === "orphaned");
  const foreign = pipes.filter((p) => p.status === "foreign");
  out(`${dir}: ${plural(rows.length, "tool")}, ${plural(orphans.length, "orphaned pipe")}`);
  const nameWidth = Math.max(0, ...rows.map((r) => r.pipe.tool.length));
  const stateWidth = Math.max(0, ...rows.map((r) => (r.summary?.state ?? "?").length));
  for (const row of rows) {
    const name = row.pipe.tool.padEnd(nameWidth);
    if (row.pipe.status === "starting") {
      out(`  ${name}  (starting: its pipe exists but nothing reads it yet)`);
      continue;
    }
    const s = row.summary;
    const state = (s?.state ?? "?").padEnd(stateWidth);
    const text = s?.error !== undefined ? `(${s.error})` : (s?.description ?? "");
    out(`  ${name}  ${state}  ${text}`.trimEnd());
    if (withPids) {
      const pad = " ".repeat(nameWidth + 4);
      out(`${pad}server: ${row.server === undefined ? "unknown" : pidList(row.server)}`);
      if (row.clients !== undefined && row.clients.length > 0) {
        out(`${pad}clients: ${pidList(row.clients)}`);
      }
    }
  }
  if (orphans.length > 0) {
    out(`orphaned pipes (nothing uses them; remove them with 'cpipe --clear ${shellWord(dir)}'):`);
    for (const p of orphans) out(`  ${p.path}`);
  }
  if (foreign.length > 0) {
    out(`${plural(foreign.length, "pipe")} of other users (left alone)`);
  }
}

function jsonLine(value: unknown): void {
  out(JSON.stringify(value));
}

function printJsonl(rows: ToolRow[], pipes: PipeInfo[]): void {
  for (const row of rows) {
    jsonLine({
      type: "tool",
      tool: row.pipe.tool,
      path: row.pipe.path,
      status: row.pipe.status,
      ...row.summary,
      ...(row.server === undefined ? {} : { server: row.server.map((h) => h.pid) }),
      ...(row.clients === undefined ? {} : { clients: row.clients.map((h) => h.pid) }),
    });
  }
  for (const p of pipes) {
    if (p.status === "orphaned" || p.status === "foreign") {
      jsonLine({ type: p.status, tool: p.tool, role: p.role, path: p.path, uid: p.uid });
    }
  }
}

async function runList(cmd: DiscoverCommand, dir: string, withPids: boolean): Promise<number> {
  const pipes = await scanPipes(dir, { recursive: cmd.recursive });
  const rows: ToolRow[] = pipes
    .filter((p) => p.role === "upstream" && (p.status === "live" || p.status === "starting"))
    .map((pipe) => ({ pipe, summary: undefined, server: undefined, clients: undefined }));
  // Processes first: our own probe connections must not show up as clients.
  if (withPids && !attachHolders(rows, pipes)) {
    printError("cannot tell which processes hold the pipes here (no /proc and no lsof)");
  }
  await Promise.all(
    rows.map(async (row) => {
      if (row.pipe.status === "live") {
        row.summary = await probeTool(row.pipe.path, { timeoutMs: cmd.timeoutMs });
      }
    }),
  );
  if (cmd.jsonl) {
    printJsonl(rows, pipes);
    return ExitCode.Ok;
  }
  const dirs = [...new Set([dir, ...pipes.map((p) => p.dir)])];
  let printed = false;
  for (const d of dirs) {
    const here = pipes.filter((p) => p.dir === d);
    if (here.length === 0) continue;
    printDir(
      d,
      rows.filter((r) => r.pipe.dir === d),
      here,
      withPids,
    );
    printed = true;
  }
  if (!printed) out(`no tool pipes in ${dir}`);
  return ExitCode.Ok;
}

async function runClear(cmd: DiscoverCommand, dir: string): Promise<number> {
  const pipes = await scanPipes(dir, { recursive: cmd.recursive });
  const result = await clearOrphans(pipes);
  const starting = pipes.filter((p) => p.status === "starting");
  if (cmd.jsonl) {
    for (const p of result.removed) jsonLine({ type: "removed", path: p.path });
    for (const p of result.kept) jsonLine({ type: "kept", path: p.path });
    for (const p of starting) jsonLine({ type: "starting", path: p.path });
    for (const f of result.failed) jsonLine({ type: "failed", path: f.pipe.path, error: f.error });
  } else {
    if (result.removed.length === 0) out(`no orphaned pipes in ${dir}`);
    else {
      out(`removed ${plural(result.removed.length, "orphaned pipe")}:`);
      for (const p of result.removed) out(`  ${p.path}`);
    }
    if (result.kept.length > 0) {
      out(`kept ${plural(result.kept.length, "pipe")} that came back into use:`);
      for (const p of result.kept) out(`  ${p.path}`);
    }
    if (starting.length > 0) {
      out(`skipped ${plural(starting.length, "pipe")} made less than a second ago (run again):`);
      for (const p of starting) out(`  ${p.path}`);
    }
  }
  for (const f of result.failed) printError(`cannot remove ${f.pipe.path}: ${f.error}`);
  return result.failed.length > 0 ? ExitCode.Failed : ExitCode.Ok;
}

/** Runs `--list`, `--pid` or `--clear`; resolves with the exit code. */
export async function runDiscover(cmd: DiscoverCommand): Promise<number> {
  const dir = path.resolve(cmd.dir ?? defaultPipeDir());
  exitOnInterrupt();
  try {
    if (cmd.kind === "clear") return await runClear(cmd, dir);
    return await runList(cmd, dir, cmd.kind === "pid");
  } catch (err) {
    const { code, line } = describeFailure(err, { target: dir, phase: "connect" });
    printError(line);
    return code;
  }
}
