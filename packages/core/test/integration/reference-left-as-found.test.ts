/**
 * Servers of the Python project are left as found: probes and descriptions leave no
 * subscription (an open fd the server would block on once ~64 KiB of broadcasts pile up) and no
 * pipe behind; `--reference stop` succeeds; in reference mode a call is answered only by the
 * event it expects, never by a broadcast, and calls go one at a time.
 */
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { closeSync, openSync, readdirSync, readlinkSync, writeSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { ToolClient } from "../../src/index.js";
import type { EventMessage } from "../../src/index.js";
import { entries, startReferenceServer, tempDir } from "named-pipe-tools-testkit";
import { cpipe } from "../cli/run-cpipe.js";

/** The paths under `dir` that process `pid` holds open. */
function openPaths(pid: number, dir: string): string[] {
  const fdDir = `/proc/${pid}/fd`;
  return readdirSync(fdDir)
    .flatMap((fd) => {
      try {
        return [readlinkSync(path.join(fdDir, fd))];
      } catch {
        return [];
      }
    })
    .filter((target) => target.startsWith(dir))
    .sort();
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

/** Writes one request line to the tool's upstream, as another reference client would. */
function writeRaw(dir: string, name: string, msg: Record<string, unknown>): void {
  const fd = openSync(path.join(dir, `tool-${name}`), "w");
  writeSync(fd, `${JSON.stringify(msg)}\n`);
  closeSync(fd);
}

test("cpipe --list, a plain ping and a description leave a Python server as found", async (t) => {
  const dir = await tempDir(t);
  const server = await startReferenceServer(t, dir, "chat");
  const pid = server.pid!;
  const asFound = (what: string): void => {
    assert.deepEqual(openPaths(pid, dir), [path.join(dir, "tool-chat")], `${what}: open fds`);
    assert.deepEqual(readdirSync(dir), ["tool-chat"], `${what}: pipes`);
  };
  asFound("at start");

  const list = await cpipe(t, dir, ["--list"]);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /chat.*running.*A reference-format test server/);
  asFound("after --list");

  assert.deepEqual(await cpipe(t, dir, ["chat", "ping"]), {
    code: 0,
    stdout: "pong\n",
    stderr: "",
  });
  asFound("after ping");

  const described = await cpipe(t, dir, ["chat"]);
  assert.equal(described.code, 0, described.stderr);
  assert.match(described.stdout, /^chat: A reference-format test server\nstate: running\n/);
  asFound("after the description");

  const iface = await cpipe(t, dir, ["chat", "get_interface", "base"]);
  assert.equal(iface.code, 0, iface.stderr);
  asFound("after get_interface");
  assert.equal(server.exitCode, null, "the server is still running");
});

test("a reference client whose subscribe went unanswered still unsubscribes", async (t) => {
  const dir = await tempDir(t);
  const server = await startReferenceServer(t, dir, "chat");
  server.kill("SIGSTOP");
  t.after(() => server.kill("SIGCONT"));
  await assert.rejects(
    ToolClient.connect("chat", { dir, compat: "reference", timeoutMs: 200 }),
    (err: Error & { code?: string }) => err.code === "ETIMEDOUT",
  );
  server.kill("SIGCONT");
  // Requests are handled in order: once this ping is answered, ours were too.
  assert.equal((await cpipe(t, dir, ["chat", "ping"])).stdout, "pong\n");
  assert.deepEqual(openPaths(server.pid!, dir), [path.join(dir, "tool-chat")]);
});

test("cpipe --reference NAME stop exits 0 when the server says it is stopping", async (t) => {
  const dir = await tempDir(t);
  const server = await startReferenceServer(t, dir, "chat");
  const stop = await cpipe(t, dir, ["--reference", "chat", "stop"]);
  assert.deepEqual(stop, { code: 0, stdout: "stopping\n", stderr: "" });
  assert.equal(await exited(server), 0);
  assert.deepEqual(await entries(dir), []);
});

test("reference mode: a broadcast never answers a call", async (t) => {
  const dir = await tempDir(t);
  await startReferenceServer(t, dir, "chat");
  await using client = await ToolClient.connect("chat", { dir, compat: "reference" });
  const shouts: EventMessage[] = [];
  client.on("shout", (msg) => shouts.push(msg));
  // Another client's shout is handled first, so its broadcast reaches us while get_state waits.
  writeRaw(dir, "chat", { pid: 1, cmd: "shout", data: "hi" });
  const state = await client.call("get_state");
  assert.deepEqual(state, { event: "state", state: "running" });
  assert.deepEqual(shouts, [{ event: "shout", data: "hi" }]);
});

test("reference mode: calls go one at a time, so an unanswered call never takes another's reply", async (t) => {
  const dir = await tempDir(t);
  await startReferenceServer(t, dir, "chat");
  await using client = await ToolClient.connect("chat", { dir, compat: "reference" });
  // `flush` replies nothing (like the reference's tts `flush`): the ping waits its turn.
  const silent = client.call("flush", {}, { timeoutMs: 300 });
  const ping = client.call("ping");
  const chat = client.stream("chat", { messages: [] }).toArray();
  const missing = client.call("nope");
  await assert.rejects(silent, (err: Error & { code?: string }) => err.code === "ETIMEDOUT");
  assert.deepEqual(await ping, { event: "pong" });
  assert.deepEqual(
    (await chat).map((m) => m["text"]),
    ["Hel", "lo", "!", ""],
  );
  await assert.rejects(missing, /unknown command 'nope'/);
});

test("our own protocol against a Python server: a clear error, and the server left as found", async (t) => {
  const dir = await tempDir(t);
  const server = await startReferenceServer(t, dir, "chat");
  await assert.rejects(
    ToolClient.connect("chat", { dir, timeoutMs: 500 }),
    (err: Error & { code?: string }) => {
      assert.equal(err.code, "EREFERENCE");
      assert.match(err.message, /server of the Python named-pipes project .*compat: "reference"/);
      return true;
    },
  );
  const echo = await cpipe(t, dir, ["chat", "echo", "hi", "-t", "0.5"]);
  assert.equal(echo.code, 1);
  assert.match(
    echo.stderr,
    /^cpipe: tool 'chat' is a server of the Python named-pipes project.*add --reference \(cpipe --reference chat echo \.\.\.\); it was left as found\n$/,
  );
  // Requests are handled in order: once this ping is answered, the unsubscribes were too.
  assert.equal((await cpipe(t, dir, ["chat", "ping"])).stdout, "pong\n");
  assert.deepEqual(openPaths(server.pid!, dir), [path.join(dir, "tool-chat")]);
  assert.deepEqual(readdirSync(dir), ["tool-chat"]);
});
