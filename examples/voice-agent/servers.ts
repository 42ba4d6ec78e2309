/**
 * The three servers the agent talks to: a running one is used as it is; a missing one is
 * started with the installed core's `cpipe --serve TYPE --detach` and stopped when the agent
 * ends.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { PipeToolError, ToolClient } from "named-pipe-tools";

/** The server types the loop needs. */
export type ServerKind = "stt" | "chat" | "tts";

/** The cpipe CLI of the installed core (its package.json `bin`), found like any dependency. */
export function cpipeBin(): string {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve("named-pipe-tools/package.json");
  const pkg = JSON.parse(readFileSync(manifest, "utf8")) as { bin: { cpipe: string } };
  return path.join(path.dirname(manifest), pkg.bin.cpipe);
}

/** A server the agent started. */
export interface StartedServer {
  kind: ServerKind;
  name: string;
  pid: number;
  /** The detached server's log file. */
  log: string;
}

/** What the agent needs to know to reach or start one server. */
export interface ServerSpec {
  kind: ServerKind;
  name: string;
  /** Options for `cpipe --serve KIND` when it has to be started. */
  args: string[];
  /** Open the data channel (tts: the audio frames). */
  data: boolean;
}

/** Where and how servers are reached and started. */
export interface ServerPlace {
  dir: string | undefined;
  /** Environment of started servers [this process's]. */
  env?: NodeJS.ProcessEnv;
  /** Start a missing server [true]. */
  start: boolean;
  /** Log lines for the user. */
  log: (line: string) => void;
}

/** Runs `cpipe --serve ... --detach`; resolves once the server answers, with its pid and log. */
export function startDetached(
  spec: ServerSpec,
  place: ServerPlace,
  timeoutMs = 150_000,
): Promise<StartedServer> {
  const args = [
    cpipeBin(),
    "--serve",
    spec.kind,
    "--name",
    spec.name,
    ...(place.dir === undefined ? [] : ["--dir", place.dir]),
    "--detach",
    ...spec.args,
  ];
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      args,
      { env: place.env ?? process.env, timeout: timeoutMs },
      (err, stdout, stderr) => {
        const ready = /^ready \S+ \(pid (\d+), log (.+)\)$/m.exec(stdout);
        if (err !== null || ready === null) {
          const why = stderr.trim() || stdout.trim() || (err?.message ?? "no output");
          reject(new Error(`cannot start the ${spec.kind} server '${spec.name}': ${why}`));
          return;
        }
        resolve({ kind: spec.kind, name: spec.name, pid: Number(ready[1]), log: ready[2]! });
      },
    );
  });
}

/**
 * Connects to the server `spec` names; when nothing serves it and starting is allowed, starts
 * it first. `started` receives the server if this call started it.
 */
export async function connectOrStart(
  spec: ServerSpec,
  place: ServerPlace,
  started: StartedServer[],
): Promise<ToolClient> {
  const connect = (): Promise<ToolClient> =>
    ToolClient.connect(spec.name, {
      ...(place.dir === undefined ? {} : { dir: place.dir }),
      data: spec.data,
      timeoutMs: 10_000,
    });
  try {
    const client = await connect();
    place.log(`using the running ${spec.kind} server '${spec.name}'`);
    return client;
  } catch (err) {
    if (!(err instanceof PipeToolError && err.code === "ENOSERVER") || !place.start) throw err;
  }
  place.log(`starting ${[spec.kind, ...spec.args].join(" ")} ...`);
  const server = await startDetached(spec, place);
  started.push(server);
  place.log(
    `started the ${spec.kind} server '${spec.name}' (pid ${server.pid}, log ${server.log})`,
  );
  return connect();
}

/** Whether `pid` runs (a zombie waiting for its parent to reap it counts as ended). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true; // no /proc (macOS): signal 0 said it exists
  }
}

/**
 * Stops a server the agent started: `stop` over its pipe, then waits for the process to end
 * (SIGKILL after `timeoutMs`). Removes its log when it stopped by itself.
 */
export async function stopStarted(
  server: StartedServer,
  dir: string | undefined,
  timeoutMs = 5000,
): Promise<void> {
  try {
    const client = await ToolClient.connect(server.name, {
      ...(dir === undefined ? {} : { dir }),
      timeoutMs: 2000,
    });
    await client.call("stop", {}, { timeoutMs: 2000 }).catch(() => undefined);
    await client.close();
  } catch {
    // Not answering: the signal below ends it.
  }
  let deadline = Date.now() + timeoutMs;
  let killed = false;
  while (running(server.pid)) {
    if (Date.now() > deadline) {
      if (killed) break;
      process.kill(server.pid, "SIGKILL");
      killed = true;
      deadline = Date.now() + 2000;
    }
    await delay(20);
  }
  if (!killed) await rm(path.dirname(server.log), { recursive: true, force: true });
}
