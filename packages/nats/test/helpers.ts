/**
 * Test helpers: real nats-server processes on free loopback ports (the server picks its port
 * with `-p -1` and prints it; readiness is that line, never a sleep), a three-node cluster,
 * and "machines": a fresh pipe directory each, with the tools and gateway that live there.
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import type { TestContext } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { z } from "zod";
import { ToolServer } from "named-pipe-tools";
import type { Spawned } from "named-pipe-tools-testkit";
import { spawnCaptured, tempDir, until, waitForOutput } from "named-pipe-tools-testkit";
import { NatsGateway } from "named-pipe-tools-nats";
import type { GatewayOptions } from "named-pipe-tools-nats";

/** A running nats-server. */
export interface NatsServer {
  /** `nats://127.0.0.1:PORT`. */
  url: string;
  port: number;
  /** The route (cluster) port, for a cluster member. */
  routePort: number | undefined;
  proc: Spawned;
  /** Kills it (SIGKILL) and waits for the exit. */
  kill(): Promise<void>;
}

const CLIENT_RE = /Listening for client connections on 127\.0\.0\.1:(\d+)/;
const ROUTE_RE = /Listening for route connections on 127\.0\.0\.1:(\d+)/;

/** Options of {@link startNats}. */
export interface StartNatsOptions {
  /** A client port to use (to restart a server on its old port) [a free one]. */
  port?: number;
  /** The text of a configuration file. */
  config?: string;
  /** Join a cluster: `{ name, routes }` (`routes`: route URLs of members already running). */
  cluster?: { name: string; routes: string[] };
  /** More command-line arguments. */
  args?: string[];
}

/** Starts nats-server on loopback; killed after the test. */
export async function startNats(
  t: TestContext,
  options: StartNatsOptions = {},
): Promise<NatsServer> {
  const args = ["-a", "127.0.0.1", "-p", String(options.port ?? -1)];
  if (options.config !== undefined) {
    const file = path.join(await tempDir(t, "npt-nats-conf-"), "server.conf");
    await writeFile(file, options.config, { mode: 0o600 });
    args.push("-c", file);
  }
  if (options.cluster !== undefined) {
    args.push("--cluster", "nats://127.0.0.1:-1", "--cluster_name", options.cluster.name);
    if (options.cluster.routes.length > 0) args.push("--routes", options.cluster.routes.join(","));
  }
  args.push(...(options.args ?? []));
  const proc = spawnCaptured(t, "nats-server", args, { stdin: "ignore" });
  await waitForOutput(
    proc,
    (_out, err) =>
      err.includes("Server is ready") && (options.cluster === undefined || ROUTE_RE.test(err)),
    15_000,
  );
  const port = Number(CLIENT_RE.exec(proc.stderr())![1]);
  const route = ROUTE_RE.exec(proc.stderr());
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    routePort: route === null ? undefined : Number(route[1]),
    proc,
    async kill() {
      if (proc.child.exitCode === null && proc.child.signalCode === null)
        proc.child.kill("SIGKILL");
      await proc.exited;
    },
  };
}

function routeCount(server: NatsServer): number {
  return server.proc.stderr().split("Route connection created").length - 1;
}

/** Starts a full-mesh cluster of `size` servers and waits until every route is up. */
export async function startCluster(t: TestContext, size = 3): Promise<NatsServer[]> {
  const name = `c${process.pid}`;
  const first = await startNats(t, { cluster: { name, routes: [] } });
  const seed = `nats://127.0.0.1:${first.routePort!}`;
  const rest = await Promise.all(
    Array.from({ length: size - 1 }, () => startNats(t, { cluster: { name, routes: [seed] } })),
  );
  const all = [first, ...rest];
  await Promise.all(all.map((s) => waitForOutput(s.proc, () => routeCount(s) >= size - 1, 15_000)));
  return all;
}

/** A simulated machine: its own pipe directory. */
export interface Machine {
  dir: string;
}

/** A fresh machine (pipe directory). */
export async function machine(t: TestContext): Promise<Machine> {
  return { dir: await tempDir(t, "npt-host-") };
}

/** Starts an in-process gateway for `m`, closed after the test. */
export async function exportFrom(
  t: TestContext,
  m: Machine,
  url: string,
  options: Omit<GatewayOptions, "dir" | "log"> & { log?: (line: string) => void },
): Promise<NatsGateway> {
  const logs: string[] = [];
  const gateway = await NatsGateway.start(url, {
    log: (line) => logs.push(line),
    ...options,
    dir: m.dir,
  });
  t.after(() => gateway.close());
  return gateway;
}

/** Resolves when `gateway` exports `tool` (or, with `false`, no longer does). */
export async function exported(
  gateway: NatsGateway,
  tool: string,
  want = true,
  ms = 10_000,
): Promise<void> {
  await until(
    async () => {
      await gateway.rescan();
      return gateway.exported().includes(tool) === want;
    },
    ms,
    `'${tool}' to be ${want ? "exported" : "withdrawn"}`,
  );
}

/**
 * A tool named `hold` on `m`: its `hold` runs until cancelled (and never replies before), its
 * `ticks` streams until cancelled. `started` and `aborted` list the `tag` of each request.
 */
export async function holdTool(t: TestContext, m: Machine) {
  const started: string[] = [];
  const aborted: string[] = [];
  const server = new ToolServer({ name: "hold", dir: m.dir, log: null, handleSignals: false });
  server.command("hold", { args: z.object({ tag: z.string() }) }, async (args, ctx) => {
    started.push(args.tag);
    await new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve()));
    aborted.push(args.tag);
  });
  server.command(
    "ticks",
    { args: z.object({ tag: z.string() }), stream: true },
    async function* (args, ctx) {
      started.push(args.tag);
      try {
        for (let i = 0; ; i++) {
          yield { text: String(i) };
          await delay(20, undefined, { signal: ctx.signal });
        }
      } finally {
        aborted.push(args.tag);
      }
    },
  );
  await server.listen();
  t.after(() => server.close());
  return { server, started, aborted };
}
