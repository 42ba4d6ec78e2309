/**
 * Ours: the library's demo `ToolServer` and a `ToolClient`, through their public modules.
 * ping, `count` (stream), `echo` (1 MiB JSON), binary echo on the data channel, `shout`
 * (broadcast to every subscriber). The client imports only the client module, as a client-only
 * program would (the server side pulls in zod for its schemas).
 */
import { ToolClient } from "named-pipe-tools";
import type { Conn, ConnectOptions, Family } from "./types.js";

const NAME = "bench";

/** What `ping` and `count` need of a client: ours, over pipes or over NATS. */
interface DemoCaller {
  call(cmd: string): Promise<unknown>;
  stream(cmd: string, args: Record<string, unknown>): AsyncIterable<{ done?: unknown }>;
}

/** `ping` and a `count` stream (counting its items) against the demo tool through `client`. */
export function demoCalls(client: DemoCaller): Pick<Conn, "ping" | "stream"> {
  return {
    async ping() {
      await client.call("ping");
    },
    async stream(n) {
      let events = 0;
      for await (const msg of client.stream("count", { n })) if (msg.done === false) events++;
      return events;
    },
  };
}

async function serve(dir: string) {
  const { createDemoServer } = await import("named-pipe-tools/demo");
  const server = createDemoServer({ name: NAME, dir, log: null });
  await server.listen();
  return { address: dir, close: () => server.close() };
}

async function connect(dir: string, options: ConnectOptions): Promise<Conn> {
  const client = await ToolClient.connect(NAME, { dir, data: options.data });
  let onFrame: ((payload: Buffer) => void) | undefined;
  client.onData((payload) => onFrame?.(payload));
  return {
    ...demoCalls(client),
    async echoJson(data) {
      const reply = await client.call("echo", { data });
      if ((reply["data"] as string).length !== data.length) throw new Error("bad echo");
    },
    echoBinary(payload) {
      return new Promise<void>((resolve, reject) => {
        onFrame = (echo) => {
          onFrame = undefined;
          if (echo.length === payload.length) resolve();
          else reject(new Error(`binary echo of ${echo.length} bytes, sent ${payload.length}`));
        };
        client.sendData(payload);
      });
    },
    onBroadcast(fn) {
      client.on("shout", (msg) => fn(msg["data"] as Record<string, unknown>));
    },
    async publish(data) {
      await client.call("shout", { data });
    },
    close: () => client.close(),
  };
}

/** The library under test. */
export const family: Family = { serve, connect };
