import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { spawnNode, startDemo, tempDir } from "named-pipe-tools-testkit";

const LOAD = fileURLToPath(new URL("../fixtures/load-client.js", import.meta.url));

test(
  "16 client processes x 200 messages of random sizes up to 1 MiB arrive intact and in order",
  { timeout: 240_000 },
  async (t) => {
    const dir = await tempDir(t);
    const server = await startDemo(t, dir);
    const clients = Array.from({ length: 16 }, (_, i) =>
      spawnNode(t, LOAD, [dir, "200", String(i + 1), String(1 << 20)]),
    );
    const codes = await Promise.all(clients.map((c) => c.exited));
    clients.forEach((c, i) => {
      assert.equal(codes[i], 0, `client ${i}: ${c.stderr()}`);
      assert.match(c.stdout(), /^ok 200 \d+\n$/);
    });
    assert.equal(server.child.exitCode, null, "server still running");
    assert.doesNotMatch(server.stderr(), /malformed|exceeds/);
  },
);
