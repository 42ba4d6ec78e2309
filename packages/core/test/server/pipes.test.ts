/**
 * A server's exit clean-up removes its pipes by inode, not by path: a server that crashes after
 * its pipes were replaced (a new server under the same name) leaves the new server's alone.
 */
import assert from "node:assert/strict";
import { closeSync } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { ToolClient } from "../../src/index.js";
import type { OwnedPipe } from "../../src/server/pipes.js";
import { claimPipe, removeOwnedSync } from "../../src/server/pipes.js";
import { createFifo } from "../../src/transport/fifo.js";
import { serveDemo, spawnNode, tempDir, waitForOutput } from "named-pipe-tools-testkit";

const CRASHING = fileURLToPath(new URL("../fixtures/crashing-server.js", import.meta.url));

test("removeOwnedSync removes our pipe, but not one put at its path since", async (t) => {
  const dir = await tempDir(t);
  const owned: OwnedPipe[] = [];
  const mine = path.join(dir, "tool-a");
  const replaced = path.join(dir, "tool-b");
  // Held open, as a server holds its pipes until it exits: the inode cannot be reused meanwhile.
  const fds = [await claimPipe(mine, "in use", owned), await claimPipe(replaced, "in use", owned)];
  t.after(() => fds.forEach((fd) => closeSync(fd)));
  await fs.unlink(replaced);
  await createFifo(replaced); // another server's pipe now
  removeOwnedSync(owned);
  assert.deepEqual(await fs.readdir(dir), ["tool-b"]);
});

test("a server that crashes after being replaced leaves the new server's pipes in place", async (t) => {
  const dir = await tempDir(t);
  const old = spawnNode(t, CRASHING, [dir, "demo"]);
  await waitForOutput(old, (out) => out.includes("ready"));
  // Its pipes are removed from under it, and a new server takes the name.
  await fs.unlink(path.join(dir, "tool-demo"));
  await fs.unlink(path.join(dir, "tool-demo-data"));
  await serveDemo(t, { dir });
  const fresh = (await fs.readdir(dir)).sort();
  assert.deepEqual(fresh, ["tool-demo", "tool-demo-data"]);

  old.child.stdin!.write("crash\n");
  assert.equal(await old.exited, 1);
  assert.match(old.stderr(), /crash on request/);
  assert.deepEqual((await fs.readdir(dir)).sort(), fresh);
  await using client = await ToolClient.connect("demo", { dir });
  assert.equal((await client.call("ping")).event, "pong");
});
