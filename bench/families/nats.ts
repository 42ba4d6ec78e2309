/**
 * nats: the library across machines, on one machine's loopback: a nats-server of its own, the
 * demo tool exported by a NatsGateway, and a NatsToolClient calling it (`ping`, and `count`
 * for streams). Needs `nats-server` on PATH.
 */
import { spawn } from "node:child_process";
import { NatsGateway, NatsToolClient } from "named-pipe-tools-nats";
import { demoCalls } from "./ours.js";
import type { Conn, Family, ServerHandle } from "./types.js";

const NAME = "bench";

/** Starts nats-server on a free loopback port; resolves with its port and a stop function. */
export function startNatsServer(): Promise<{ port: number; stop: () => void }> {
  return new Promise((resolve, reject) => {
    const child = spawn("nats-server", ["-a", "127.0.0.1", "-p", "-1"], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    const stop = (): void => void child.kill("SIGKILL");
    process.once("exit", stop);
    let log = "";
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`nats-server exited (${String(code)}): ${log}`)));
    child.stderr.on("data", (d: Buffer) => {
      log += d.toString();
      const m = /Listening for client connections on 127\.0\.0\.1:(\d+)/.exec(log);
      if (m !== null && log.includes("Server is ready")) resolve({ port: Number(m[1]), stop });
    });
  });
}

async function serve(dir: string): Promise<ServerHandle> {
  const { createDemoServer } = await import("named-pipe-tools/demo");
  const nats = await startNatsServer();
  const server = await createDemoServer({ name: NAME, dir, log: null }).listen();
  const url = `nats://127.0.0.1:${nats.port}`;
  const gateway = await NatsGateway.start(url, { tools: [NAME], dir, log: () => undefined });
  if (!gateway.exported().includes(NAME)) throw new Error("the gateway did not export the tool");
  return {
    address: url,
    async close() {
      await gateway.close();
      await server.close();
      nats.stop();
    },
  };
}

async function connect(url: string): Promise<Conn> {
  const client = await NatsToolClient.connect(`${url}/${NAME}`, { subscribe: false });
  return { ...demoCalls(client), close: () => client.close() };
}

/** The library over NATS on loopback. */
export const family: Family = { serve, connect };
