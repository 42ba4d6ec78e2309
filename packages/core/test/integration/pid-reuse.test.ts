import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { ToolClient } from "../../src/index.js";
import { ROOT, startDemo, tempDir, until } from "named-pipe-tools-testkit";

// A reference-style client (pid-only pipe name) that dies leaves nothing a later process with the
// same pid could inherit: the server drops it and removes its pipe, and the kernel discards a
// FIFO's unread bytes once no process holds it open.
test(
  "a dead reference-style client's pipe is removed, so a reused pid gets no stale messages",
  { timeout: 30_000 },
  async (t) => {
    const dir = await tempDir(t);
    await startDemo(t, dir);
    const script = `
import json, os, sys, time
d = sys.argv[1]; pid = os.getpid(); p = f"{d}/tool-demo-{pid}"
os.mkfifo(p); down = os.open(p, os.O_RDWR); up = os.open(f"{d}/tool-demo", os.O_RDWR)
os.write(up, (json.dumps({"pid": pid, "cmd": "subscribe"}) + "\\n").encode())
buf = b""
while b"\\n" not in buf: buf += os.read(down, 4096)
print("subscribed", flush=True)
time.sleep(600)
`;
    const child = spawn("python3", ["-c", script, dir], { stdio: ["ignore", "pipe", "inherit"] });
    t.after(() => child.kill("SIGKILL"));
    await new Promise<void>((resolve) =>
      child.stdout.on("data", (d: Buffer) => d.toString().includes("subscribed") && resolve()),
    );
    const pipe = `tool-demo-${child.pid}`;
    assert.ok((await readdir(dir)).includes(pipe));
    // Broadcasts pile up in its pipe while it is alive...
    await using other = await ToolClient.connect("demo", { dir });
    for (let i = 0; i < 20; i++) await other.call("shout", { data: `backlog ${i}` });
    child.kill("SIGKILL");
    // ...and all of it disappears with the pipe once the server notices the death.
    await until(
      async () => !(await readdir(dir)).includes(pipe),
      3000,
      "dead client's pipe removed",
    );
    assert.equal((await other.call("ping")).event, "pong");
    assert.ok(path.isAbsolute(ROOT));
  },
);
