import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { ToolClient } from "../../src/index.js";
import type { EventMessage } from "../../src/index.js";
import { entries, spawnNode, tempDir, waitForOutput } from "named-pipe-tools-testkit";

const LIBRARY_SERVER = fileURLToPath(new URL("../fixtures/library-server.js", import.meta.url));

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  test(`${signal} stops the server gracefully: broadcast, then its pipes are removed`, async (t) => {
    const dir = await tempDir(t);
    // The library's own handling: a server main (or cpipe --serve) exits 0 instead.
    const server = spawnNode(t, LIBRARY_SERVER, [dir]);
    await waitForOutput(server, (out) => out.includes("ready "));
    const client = await ToolClient.connect("demo", { dir });
    const states: EventMessage[] = [];
    client.on("state_changed", (m) => states.push(m));
    const pending = client.call("sleep", { ms: 600_000 }, { timeoutMs: 600_000 });
    await client.call("ping");
    server.child.kill(signal);
    await assert.rejects(
      pending,
      (err: Error & { code?: string; remoteCode?: string }) =>
        err.code === "ESERVERGONE" || err.remoteCode === "cancelled",
    );
    assert.equal((await client.closed)?.code, "ESERVERGONE");
    assert.deepEqual(states, [{ event: "state_changed", state: "stopping" }]);
    assert.equal(await server.exited, signal, "re-raised the signal after cleaning up");
    assert.deepEqual(await entries(dir), []);
  });
}
