/**
 * Quick start: starts the demo server in its own process, then talks to it over named pipes.
 * Run with `npm run demo`.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { ToolClient } from "named-pipe-tools";

const dir = mkdtempSync(path.join(tmpdir(), "pipe-tools-demo-"));
// The demo tool's process entry point, found by package name like any dependency.
const pkg = path.dirname(createRequire(import.meta.url).resolve("named-pipe-tools/package.json"));
const main = path.join(pkg, "dist/src/demo/main.js");
const server = spawn(process.execPath, [main, "--dir", dir], {
  stdio: ["ignore", "pipe", "inherit"],
});

// Wait for the server's readiness line.
await new Promise<void>((resolve, reject) => {
  server.once("exit", (code) => reject(new Error(`demo server exited with ${code}`)));
  server.stdout.on("data", (chunk: Buffer) => {
    if (chunk.toString().startsWith("ready")) resolve();
  });
});
console.log(`demo server (pid ${server.pid}) is serving ${dir}/tool-demo`);

await using client = await ToolClient.connect("demo", { dir });
console.log("description:", (await client.call("get_description"))["description"]);
console.log("echo ->", (await client.call("echo", { data: { hello: "pipes" } }))["data"]);

process.stdout.write("count -> ");
for await (const msg of client.stream("count", { n: 5, interval_ms: 50 })) {
  if (msg.done === false) process.stdout.write(`${String(msg["text"])} `);
}
process.stdout.write("(done)\n");

const t0 = process.hrtime.bigint();
const rounds = 1000;
for (let i = 0; i < rounds; i++) await client.call("ping");
const us = Number(process.hrtime.bigint() - t0) / 1000 / rounds;
console.log(`ping round trip: ${us.toFixed(1)} us on average over ${rounds} calls`);

await client.call("stop");
await new Promise((resolve) => server.once("exit", resolve));
console.log("server stopped and removed its pipes");
rmSync(dir, { recursive: true, force: true });
