/**
 * The demo tool: no ML, just enough to show and test every feature of the protocol.
 */
import { setTimeout as delay } from "node:timers/promises";
import { z } from "zod";
import { ToolServer } from "../server/tool-server.js";
import type { ToolServerOptions } from "../server/types.js";

const HELP = `# demo

A tool server with no model, for trying the protocol.

Commands:
- echo {data}: replies {"event":"echo","data":<data>}.
- count {n, interval_ms?}: streams n token events ("1" .. "n"), then done.
- sleep {ms}: replies {"event":"slept"} after ms milliseconds (cancellable).
- fail {message?}: replies with an error event.
- shout {data}: broadcasts {"event":"shout","data":<data>} to every subscriber.
- set_state {state}: changes the state (broadcasts state_changed).

Binary frames sent on the data channel are echoed back to their sender.

Examples:
  cpipe demo echo '{"hello":"world"}'
  cpipe demo count -j '{"n":5}'
`;

/** Creates the demo server (not yet listening). Options override the defaults. */
export function createDemoServer(options: Partial<ToolServerOptions> = {}): ToolServer {
  const server = new ToolServer({
    name: "demo",
    description: "Demo tool: echo, count (streaming), sleep, fail, shout, binary echo",
    help: HELP,
    ...options,
  });
  server.command(
    "echo",
    {
      description: "Reply with the data you sent.",
      args: z.object({ data: z.unknown().describe("Anything; sent back unchanged") }).loose(),
      reply: "echo",
    },
    (args) => ({ event: "echo", data: args.data ?? null }),
  );
  server.command(
    "count",
    {
      description: "Stream n token events, then a final done event.",
      args: z.object({
        n: z.coerce.number().int().min(0).max(1_000_000).describe("How many tokens to send"),
        interval_ms: z
          .number()
          .int()
          .min(0)
          .max(60_000)
          .default(0)
          .describe("Pause between tokens, ms"),
      }),
      stream: true,
    },
    async function* (args, ctx) {
      for (let i = 1; i <= args.n; i++) {
        if (args.interval_ms > 0) await delay(args.interval_ms, undefined, { signal: ctx.signal });
        yield { text: String(i) };
      }
      return { count: args.n };
    },
  );
  server.command(
    "sleep",
    {
      description: "Reply after ms milliseconds; cancellable.",
      args: z.object({
        ms: z.coerce.number().int().min(0).max(3_600_000).describe("Milliseconds to wait"),
      }),
      reply: "slept",
    },
    async (args, ctx) => {
      await delay(args.ms, undefined, { signal: ctx.signal });
      return { event: "slept", ms: args.ms };
    },
  );
  server.command(
    "fail",
    {
      description: "Reply with an error event (for testing error paths).",
      args: z.object({
        message: z.string().default("requested failure").describe("Error message"),
      }),
    },
    (args) => {
      throw new Error(args.message);
    },
  );
  server.command(
    "shout",
    {
      description: "Broadcast the data to every subscriber as a 'shout' event.",
      args: z.object({ data: z.unknown().describe("Anything") }).loose(),
      events: {
        shout: { description: "Broadcast by shout", fields: z.object({ data: z.unknown() }) },
      },
    },
    (args) => {
      server.broadcast("shout", { data: args.data ?? null });
    },
  );
  server.command(
    "set_state",
    {
      description: "Change the server's state.",
      args: z.object({ state: z.string().min(1).max(64).describe("New state") }),
    },
    (args) => {
      server.setState(args.state);
    },
  );
  server.onData((payload, from) => {
    server.sendData(from, payload);
  });
  return server;
}
