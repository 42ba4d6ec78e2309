#!/usr/bin/env node
/**
 * Entry point of every bench child process written in Node:
 *
 *   node peer/main.js serve FAMILY DIR      serve; print {"ready":true,"address":...}; answer
 *                                           {"op":"cpu"} with the CPU time used so far; stop at EOF
 *   node peer/main.js client FAMILY ADDR [data]
 *                                           connect (with a data channel when `data` is given);
 *                                           print {"ready":true}; run ops read from stdin
 *
 * The MCP server is the exception: its stdin/stdout carry MCP, so it prints nothing.
 */
import { createInterface } from "node:readline";
import type { Family } from "../families/types.js";
import type { Op } from "./ops.js";
import { cpuAnswer, runOp } from "./ops.js";

const FAMILIES = ["ours", "fifo-raw", "uds", "http", "mcp", "nats", "chat", "chat-local"];

const say = (msg: object): void => void process.stdout.write(`${JSON.stringify(msg)}\n`);

async function load(name: string): Promise<Family> {
  if (!FAMILIES.includes(name)) throw new Error(`unknown family '${name}'`);
  return ((await import(`../families/${name}.js`)) as { family: Family }).family;
}

async function main(): Promise<void> {
  const [role, name = "", target = "", extra] = process.argv.slice(2);
  const family = await load(name);
  if (role === "serve") {
    const server = await family.serve(target);
    if (name === "mcp") return;
    say({ ready: true, address: server.address });
    const lines = createInterface({ input: process.stdin });
    lines.on("line", (line) => {
      if ((JSON.parse(line) as Op).op === "cpu") say(cpuAnswer());
    });
    lines.on("close", () => void server.close().then(() => process.exit(0)));
    return;
  }
  if (role !== "client") throw new Error(`usage: main.js serve|client FAMILY TARGET`);
  const conn = await family.connect(target, { data: extra === "data" });
  say({ ready: true });
  let chain = Promise.resolve();
  const lines = createInterface({ input: process.stdin });
  lines.on("line", (line) => {
    const op = JSON.parse(line) as Op;
    const run = () =>
      runOp(conn, op, say).then(say, (err: unknown) => {
        process.stderr.write(`bench peer: ${op.op} failed: ${String(err)}\n`);
        process.exit(1);
      });
    // `listen` runs beside later ops (the publisher shouts while it listens).
    if (op.op === "listen") void run();
    else chain = chain.then(run);
  });
  lines.on("close", () => {
    void chain.then(() => conn.close()).then(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  process.stderr.write(
    `bench peer: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
