import assert from "node:assert/strict";
import { test } from "node:test";
import { NO_TIMEOUT_MS, parseCli } from "../../src/cli/args.js";
import { UsageError } from "../../src/cli/errors.js";

test("sending: PIPE CMD [DATA] with -d, -j, -t, -n, --no-subscribe, -v, --jsonl, --dir", () => {
  assert.deepEqual(parseCli(["demo", "ping"]), {
    kind: "send",
    target: "demo",
    dir: undefined,
    timeoutMs: 5000,
    verbose: false,
    jsonl: false,
    cmd: "ping",
    data: undefined,
    extra: {},
    wait: true,
  });
  const full = parseCli([
    "-v",
    "demo",
    "echo",
    "-d",
    "x",
    "-j",
    '{"a":1}',
    "-t",
    "1.5",
    "--jsonl",
    "--dir",
    "/d",
  ]);
  assert.deepEqual(full, {
    kind: "send",
    target: "demo",
    dir: "/d",
    timeoutMs: 1500,
    verbose: true,
    jsonl: true,
    cmd: "echo",
    data: "x",
    extra: { a: 1 },
    wait: true,
  });
  assert.equal((parseCli(["demo", "x", "-n"]) as { wait: boolean }).wait, false);
  assert.equal((parseCli(["demo", "x", "--no-subscribe"]) as { wait: boolean }).wait, false);
  assert.equal(
    (parseCli(["demo", "x", "-t", "0"]) as { timeoutMs: number }).timeoutMs,
    NO_TIMEOUT_MS,
  );
  assert.equal((parseCli(["demo", "x", "--", "-5"]) as { data: string }).data, "-5");
  assert.equal((parseCli(["demo", "x", "--data=-5"]) as { data: string }).data, "-5");
  assert.equal((parseCli(["demo", "x", "--tool"]) as { kind: string }).kind, "send");
});

test("modes: describe, watch, list/pid/clear, serve, help, version", () => {
  assert.equal(parseCli(["demo"]).kind, "describe");
  assert.equal(parseCli(["demo", "help"]).kind, "describe");
  assert.equal(
    parseCli(["demo", "help", "x"]).kind,
    "send",
    "help with DATA is the tool's own command",
  );
  assert.equal(parseCli(["--watch", "demo"]).kind, "watch");
  assert.deepEqual(parseCli(["--list"]), {
    kind: "list",
    dir: undefined,
    recursive: false,
    jsonl: false,
    timeoutMs: 500,
  });
  assert.deepEqual(parseCli(["--pid", "/x", "-r", "-t", "2"]), {
    kind: "pid",
    dir: "/x",
    recursive: true,
    jsonl: false,
    timeoutMs: 2000,
  });
  assert.equal((parseCli(["--clear", "--dir", "/y"]) as { dir: string }).dir, "/y");
  assert.deepEqual(parseCli(["--serve", "demo", "--name", "n", "-j", '{"k":true}']), {
    kind: "serve",
    type: "demo",
    name: "n",
    dir: undefined,
    args: ["-j", '{"k":true}'],
  });
  assert.deepEqual(
    parseCli(["--dir=/d", "--serve=CHAT", "--model", "m.gguf", "--", "x", "--name"]),
    {
      kind: "serve",
      type: "chat",
      name: undefined,
      dir: "/d",
      args: ["--model", "m.gguf", "--", "x", "--name"],
    },
  );
  const file = parseCli(["--serve", "/Tmp/My-Type.js"]);
  assert.equal(
    file.kind === "serve" && file.type,
    "/Tmp/My-Type.js",
    "a module path keeps its case",
  );
  assert.deepEqual(parseCli(["demo", "ping", "--help"]), { kind: "help" });
  assert.deepEqual(parseCli(["--version"]), { kind: "version" });
});

test("--detach is cpipe's own option of --serve, except after '--'", () => {
  assert.deepEqual(parseCli(["--serve", "demo", "--detach", "--name", "s"]), {
    kind: "serve",
    type: "demo",
    name: "s",
    dir: undefined,
    args: [],
    detach: true,
  });
  assert.deepEqual(parseCli(["--serve", "mcp", "--", "server", "--detach"]), {
    kind: "serve",
    type: "mcp",
    name: undefined,
    dir: undefined,
    args: ["--", "server", "--detach"],
  });
});

test("usage errors", () => {
  const bad: string[][] = [
    ["--dir", "/x"],
    ["--watch"],
    ["--watch", "a", "b"],
    ["--serve"],
    ["--serve", "--name", "x"],
    ["--serve", "demo", "--name"],
    ["--list", "a", "b"],
    ["--list", "a", "--dir", "b"],
    ["--clear", "-t", "1"],
    ["demo", "echo", "-r"],
    ["demo", "--basic", "x"],
    ["demo", "", "x"],
    ["demo", "x", "-t", "-1"],
    ["demo", "x", "-t", "1e3"],
    ["demo", "x", "-j", "null"],
    ["demo", "x", "-j", '{"cmd":"y"}'],
    ["demo", "x", "-d", "-5"],
  ];
  for (const argv of bad) assert.throws(() => parseCli(argv), UsageError, argv.join(" "));
});

test("--tui and a bare cpipe: the dashboard", () => {
  assert.deepEqual(parseCli([]), { kind: "bare" });
  assert.deepEqual(parseCli(["--tui"]), { kind: "tui" });
  assert.deepEqual(parseCli(["--tui", "--dir", "/x"]), { kind: "tui", dir: "/x" });
  assert.throws(() => parseCli(["--tui", "demo"]), /--tui takes no arguments/);
  assert.throws(() => parseCli(["--tui", "--list"]), /choose one of --list, --tui/);
  assert.throws(() => parseCli(["--tui", "-t", "3"]), /-t\/--timeout does not apply to --tui/);
});
