#!/usr/bin/env node
/**
 * `node dist/bench/profile.js SHAPE [--family F] [--tool T] [--out DIR]`: runs one bench shape
 * with its server and client processes under a profiler and prints where the time goes.
 *
 *   SHAPE   ping | stream | clients-8 | clients-64 | json-1mib | binary-1mib | chat-tokens
 *   F       ours (default), fifo-raw, uds; for chat-tokens: chat (the chat server streaming to a
 *           client) or chat-local (the same generation in the client's process)
 *   T       cpu-prof (default): V8 CPU profiles, summarized as self time by function and by kind
 *           strace: `strace -c -f` per process: system calls, their count and time
 *           perf: `perf stat` per process: task clock, context switches, migrations, faults
 *           cpu: CPU time per operation of the server and of the clients, measured around the
 *           operations only (start-up excluded), without a profiler
 *
 * The files stay in DIR (default: a new temporary directory), printed at the end. Numbers under
 * a profiler are slower than in `npm run bench`; read them as shares and counts per operation.
 */
import { mkdir, mkdtemp, readFile, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import type { CpuAnswer } from "./peer/ops.js";
import { Peer, stopAll } from "./proc.js";
import type { CpuProfile } from "./report/cpuprofile.js";
import { summarizeProfile } from "./report/cpuprofile.js";

const MIB = 1024 * 1024;

interface Shape {
  clients: number;
  data: boolean;
  op: Record<string, unknown>;
  /** Operations the client(s) run, for per-operation figures. */
  ops: number;
  /** Needs the generated chat test model (the chat package). */
  model?: boolean;
}

const SHAPES: Record<string, Shape> = {
  ping: {
    clients: 1,
    data: false,
    op: { op: "ping", warmup: 3000, n: 20_000, maxMs: 60_000 },
    ops: 23_000,
  },
  stream: {
    clients: 1,
    data: false,
    op: { op: "stream", warmup: 50_000, n: 50_000 },
    ops: 100_000,
  },
  "clients-8": { clients: 8, data: false, op: { op: "pingFor", ms: 3000 }, ops: 0 },
  "clients-64": { clients: 64, data: false, op: { op: "pingFor", ms: 3000 }, ops: 0 },
  "json-1mib": {
    clients: 1,
    data: false,
    op: { op: "json", bytes: MIB, warmup: 4, n: 40 },
    ops: 44,
  },
  "binary-1mib": {
    clients: 1,
    data: true,
    op: { op: "binary", bytes: MIB, warmup: 4, n: 100 },
    ops: 104,
  },
  "chat-tokens": {
    clients: 1,
    data: false,
    op: { op: "tokens", n: 300, warmup: 1, runs: 5 },
    ops: 1800,
    model: true,
  },
};

const TOOLS = ["cpu-prof", "strace", "perf", "cpu"] as const;
type Tool = (typeof TOOLS)[number];

function launch(tool: Tool, out: string, label: string, args: string[]): Peer {
  const file = path.join(out, label.replace(/\s+/g, "-"));
  switch (tool) {
    case "cpu":
      return Peer.node(label, args);
    case "cpu-prof":
      return Peer.node(label, args, {
        nodeFlags: [
          "--cpu-prof",
          "--cpu-prof-dir",
          out,
          "--cpu-prof-name",
          `${path.basename(file)}.cpuprofile`,
        ],
      });
    case "strace":
      return Peer.node(label, args, { wrap: ["strace", "-c", "-f", "-o", `${file}.strace`] });
    case "perf":
      return Peer.node(label, args, {
        wrap: [
          "perf",
          "stat",
          "-e",
          "task-clock,context-switches,cpu-migrations,page-faults",
          "-o",
          `${file}.perf`,
        ],
      });
  }
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      family: { type: "string", default: "ours" },
      tool: { type: "string", default: "cpu-prof" },
      out: { type: "string" },
    },
  });
  const shape = SHAPES[positionals[0] ?? ""];
  const tool = values.tool as Tool;
  if (shape === undefined || !TOOLS.includes(tool)) {
    throw new TypeError(
      `usage: profile.js ${Object.keys(SHAPES).join("|")} [--family F] [--tool ${TOOLS.join("|")}]`,
    );
  }
  const out = values.out ?? (await mkdtemp(path.join(tmpdir(), "npt-profile-")));
  await mkdir(out, { recursive: true });
  const work = await mkdtemp(path.join(tmpdir(), "npt-profile-pipes-"));
  const family = values.family;
  if (shape.model === true) {
    const { writeTestModel } = await import("named-pipe-tools-chat");
    process.env["NPT_BENCH_MODEL"] = path.join(work, "test-model.gguf"); // the peers inherit it
    await writeTestModel(process.env["NPT_BENCH_MODEL"]);
  }
  const server = launch(tool, out, "server", ["serve", family, work]);
  const { address } = await server.ready();
  const clientArgs = ["client", family, address as string, ...(shape.data ? ["data"] : [])];
  const clients = Array.from({ length: shape.clients }, (_, i) =>
    launch(tool, out, `client ${i}`, clientArgs),
  );
  await Promise.all(clients.map((c) => c.ready()));
  const cpu = async (): Promise<number[]> =>
    Promise.all(
      [server, ...clients].map(async (p) => (await p.ask<CpuAnswer>({ op: "cpu" })).cpu_us),
    );
  const before = await cpu();
  const t0 = performance.now();
  const answers = await Promise.all(clients.map((c) => c.ask<{ samples?: number[] }>(shape.op)));
  const seconds = (performance.now() - t0) / 1000;
  const after = await cpu();
  const ops =
    shape.ops > 0
      ? shape.ops * shape.clients
      : answers.reduce((n, a) => n + (a.samples?.length ?? 0), 0);
  await stopAll([...clients, server]);
  console.log(
    `${positionals[0]} (${family}) under ${tool}: ${ops} operations in ${seconds.toFixed(2)} s`,
  );
  const used = after.map((a, i) => a - before[i]!);
  const perOp = (us: number): string => (ops > 0 ? `${(us / ops).toFixed(2)} us/op` : `${us} us`);
  console.log(
    `CPU during the operations: server ${perOp(used[0]!)}, clients ${perOp(used.slice(1).reduce((a, b) => a + b, 0))}`,
  );
  for (const name of (await readdir(out)).sort()) {
    const file = path.join(out, name);
    console.log(`\n== ${name}`);
    if (name.endsWith(".cpuprofile")) {
      const profile = JSON.parse(await readFile(file, "utf8")) as CpuProfile;
      console.log(summarizeProfile(profile, ops));
    } else {
      console.log((await readFile(file, "utf8")).trim());
    }
  }
  console.log(`\nfiles in ${out}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`profile: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
