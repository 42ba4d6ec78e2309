#!/usr/bin/env node
/**
 * Runs the demo server: `node dist/src/demo/main.js [--name NAME] [--dir DIR]`.
 * Prints `ready <upstream path>` on stdout once it serves; stops on SIGINT, SIGTERM or `stop`.
 */
import { parseArgs } from "node:util";
import { createDemoServer } from "./demo-server.js";

const { values } = parseArgs({
  options: { name: { type: "string", default: "demo" }, dir: { type: "string" } },
});
try {
  const server = await createDemoServer({
    name: values.name ?? "demo",
    ...(values.dir === undefined ? {} : { dir: values.dir }),
  }).listen();
  process.stdout.write(`ready ${server.paths.upstream}\n`);
  await server.closed;
} catch (err) {
  process.stderr.write(`demo: ${(err as Error).message}\n`);
  process.exitCode = 1;
}
