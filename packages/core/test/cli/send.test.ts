import assert from "node:assert/strict";
import { test } from "node:test";
import { entries, startDemo, tempDir } from "named-pipe-tools-testkit";
import { cpipe, startCpipe, waitForStdout } from "./run-cpipe.js";

test("one-shot replies print readably: pong, echoed JSON, echoed text, and -d", async (t) => {
  const dir = await tempDir(t);
  await startDemo(t, dir);

  const ping = await cpipe(t, dir, ["demo", "ping"]);
  assert.deepEqual(ping, { code: 0, stdout: "pong\n", stderr: "" });

  const json = await cpipe(t, dir, ["demo", "echo", '{"hello":"world","n":[1,2]}']);
  assert.equal(json.code, 0);
  assert.equal(json.stdout, '{"hello":"world","n":[1,2]}\n');

  const text = await cpipe(t, dir, ["demo", "echo", "hello there"]);
  assert.equal(text.stdout, "hello there\n");

  const number = await cpipe(t, dir, ["demo", "echo", "-d", "42", "--jsonl"]);
  assert.equal(
    (JSON.parse(number.stdout) as { data: unknown }).data,
    42,
    "valid JSON is sent as JSON",
  );

  const quoted = await cpipe(t, dir, ["demo", "echo", "--data", '"42"', "--jsonl"]);
  assert.equal((JSON.parse(quoted.stdout) as { data: unknown }).data, "42");

  const state = await cpipe(t, dir, [`${dir}/tool-demo`, "get_state"]);
  assert.deepEqual(state, { code: 0, stdout: "running\n", stderr: "" }, "a pipe path works too");
});

test("-j merges fields into the request, after DATA; '-d -' reads stdin", async (t) => {
  const dir = await tempDir(t);
  await startDemo(t, dir);

  const merged = await cpipe(t, dir, ["demo", "echo", "first", "-j", '{"data":{"a":1}}']);
  assert.equal(merged.stdout, '{"a":1}\n', "-j wins over DATA");

  const counted = await cpipe(t, dir, ["demo", "count", "--json", '{"n":3}']);
  assert.deepEqual(counted, { code: 0, stdout: "123\n", stderr: "" });

  const stdin = await cpipe(t, dir, ["demo", "echo", "-d", "-"], { stdin: "from stdin\n" });
  assert.equal(stdin.stdout, "from stdin\n");
});

test("a stream prints tokens as they arrive, ends at done, and -t does not cut it off", async (t) => {
  const dir = await tempDir(t);
  await startDemo(t, dir);
  const started = Date.now();
  const proc = startCpipe(t, dir, ["demo", "count", "-j", '{"n":5,"interval_ms":400}', "-t", "1"]);
  await waitForStdout(proc, "1");
  assert.equal(proc.stdout(), "1", "the first token is printed before the stream ends");
  assert.equal(await proc.exited, 0);
  assert.equal(proc.stdout(), "12345\n");
  assert.ok(Date.now() - started >= 1900, "the stream outlived the 1 s timeout");
  assert.deepEqual(await entries(dir), ["tool-demo", "tool-demo-data"], "its pipes are gone");
});

test("--jsonl prints each message of the reply as one JSON line", async (t) => {
  const dir = await tempDir(t);
  await startDemo(t, dir);
  const res = await cpipe(t, dir, ["demo", "count", "-j", '{"n":2}', "--jsonl"]);
  assert.equal(res.code, 0);
  const lines = res.stdout
    .trimEnd()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(
    lines.map((m) => [m["event"], m["text"], m["done"]]),
    [
      ["token", "1", false],
      ["token", "2", false],
      ["token", "", true],
    ],
  );
  assert.equal(lines[2]!["count"], 2);

  const err = await cpipe(t, dir, ["demo", "fail", "--jsonl"]);
  assert.equal(err.code, 1);
  assert.equal(
    (JSON.parse(err.stdout) as { event: string }).event,
    "error",
    "the error reply is a JSON line too",
  );
  assert.match(err.stderr, /^cpipe: demo fail: requested failure\n$/);
});

test("a state_changed broadcast is never taken for the answer", async (t) => {
  const dir = await tempDir(t);
  await startDemo(t, dir);
  // The server broadcasts state_changed before it replies ok: the reference printed 'busy'.
  const res = await cpipe(t, dir, ["demo", "set_state", "-j", '{"state":"busy"}', "-v"]);
  assert.equal(res.code, 0);
  assert.equal(res.stdout, "ok\n");
  assert.match(res.stderr, /<- \{"event":"state_changed","state":"busy"\}/, "it did arrive");
  assert.equal((await cpipe(t, dir, ["demo", "get_state"])).stdout, "busy\n");
});

test("a broadcast that arrives mid-stream is not mixed into the streamed text", async (t) => {
  const dir = await tempDir(t);
  await startDemo(t, dir);
  const stream = startCpipe(t, dir, ["demo", "count", "-j", '{"n":15,"interval_ms":100}', "-v"]);
  await waitForStdout(stream, "1");
  const shout = await cpipe(t, dir, ["demo", "shout", "interloper"]);
  assert.deepEqual(shout, { code: 0, stdout: "ok\n", stderr: "" });
  assert.equal(await stream.exited, 0);
  assert.equal(stream.stdout(), "123456789101112131415\n");
  assert.match(stream.stderr(), /<- \{"event":"shout","data":"interloper"\}/);
});

test("error replies, unknown commands, bad arguments: exit 1 with one line that says what to do", async (t) => {
  const dir = await tempDir(t);
  await startDemo(t, dir);

  const fail = await cpipe(t, dir, ["demo", "fail", "-j", '{"message":"boom"}']);
  assert.deepEqual(fail, { code: 1, stdout: "", stderr: "cpipe: demo fail: boom\n" });

  const unknown = await cpipe(t, dir, ["demo", "frobnicate"]);
  assert.equal(unknown.code, 1);
  assert.equal(
    unknown.stderr,
    "cpipe: demo frobnicate: unknown command 'frobnicate' (see its commands and arguments: cpipe demo help)\n",
  );

  const badArgs = await cpipe(t, dir, ["demo", "count", "-j", '{"n":"many"}']);
  assert.equal(badArgs.code, 1);
  assert.match(
    badArgs.stderr,
    /^cpipe: demo count: .*n.*\(see its commands and arguments: cpipe demo help\)\n$/,
  );
});

test("no server: exit 1 and a message naming the pipe, for a missing pipe and for a dead server's pipe", async (t) => {
  const dir = await tempDir(t);
  const missing = await cpipe(t, dir, ["ghost", "ping"]);
  assert.equal(missing.code, 1);
  assert.equal(missing.stdout, "");
  assert.equal(
    missing.stderr,
    `cpipe: no server for 'ghost': ${dir}/tool-ghost does not exist; is the server running? 'cpipe --list ${dir}' shows the running tools\n`,
  );
  assert.deepEqual(await entries(dir), [], "it leaves no pipe behind");

  const server = await startDemo(t, dir);
  server.child.kill("SIGKILL");
  await server.exited;
  const dead = await cpipe(t, dir, ["demo", "ping"]);
  assert.equal(dead.code, 1);
  assert.match(dead.stderr, /exists but no server reads it .*'cpipe --clear /);
});

test("timeout: exit 1 after -t seconds with a hint, and the request is cancelled", async (t) => {
  const dir = await tempDir(t);
  await startDemo(t, dir);
  const started = Date.now();
  const res = await cpipe(t, dir, ["demo", "sleep", "-j", '{"ms":30000}', "-t", "0.3", "-v"]);
  assert.equal(res.code, 1);
  assert.ok(Date.now() - started < 5000);
  assert.match(
    res.stderr,
    /cpipe: no reply to 'sleep' from 'demo' within 0\.3 s; wait longer with -t SECONDS/,
  );
  assert.match(res.stderr, /-> \{[^}]*"cmd":"cancel"/, "it cancels the request on the server");
  assert.deepEqual(await entries(dir), ["tool-demo", "tool-demo-data"]);
});

test("-n and --no-subscribe send without waiting; the command still runs", async (t) => {
  const dir = await tempDir(t);
  await startDemo(t, dir);
  const noWait = await cpipe(t, dir, ["demo", "set_state", "-j", '{"state":"fired"}', "-n", "-v"]);
  assert.equal(noWait.code, 0);
  assert.equal(noWait.stdout, "");
  assert.doesNotMatch(noWait.stderr, /subscribe/, "no subscription at all");
  assert.equal((await cpipe(t, dir, ["demo", "get_state"])).stdout, "fired\n");

  const noSub = await cpipe(t, dir, [
    "demo",
    "set_state",
    "-j",
    '{"state":"again"}',
    "--no-subscribe",
  ]);
  assert.deepEqual(noSub, { code: 0, stdout: "", stderr: "" });
  assert.equal((await cpipe(t, dir, ["demo", "get_state"])).stdout, "again\n");
  assert.deepEqual(await entries(dir), ["tool-demo", "tool-demo-data"]);
});

test("-v logs each message sent and received on stderr", async (t) => {
  const dir = await tempDir(t);
  await startDemo(t, dir);
  const res = await cpipe(t, dir, ["demo", "echo", "x", "-v"]);
  assert.equal(res.stdout, "x\n");
  const lines = res.stderr.trimEnd().split("\n");
  assert.deepEqual(
    lines.map((l) => l.replace(/ \{.*"(cmd|event)":"(\w+)".*$/, " $2")),
    [
      "[cpipe] -> subscribe",
      "[cpipe] <- subscribed",
      "[cpipe] -> echo",
      "[cpipe] <- echo",
      "[cpipe] -> unsubscribe",
      "[cpipe] <- ok",
    ],
  );
  // A probe such as ping goes in the form servers of the Python project understand too: no
  // client token, and an unsubscribe that expects no answer.
  const ping = await cpipe(t, dir, ["demo", "ping", "-v"]);
  assert.equal(ping.stdout, "pong\n");
  const sent = ping.stderr
    .trimEnd()
    .split("\n")
    .filter((l) => l.startsWith("[cpipe] -> "))
    .map((l) => JSON.parse(l.slice("[cpipe] -> ".length)) as Record<string, unknown>);
  assert.deepEqual(
    sent.map((m) => [m["cmd"], "client" in m, "id" in m]),
    [
      ["subscribe", false, true],
      ["ping", false, true],
      ["unsubscribe", false, false],
    ],
  );
});

test("a bare cpipe that is not on a terminal prints the help", async (t) => {
  const dir = await tempDir(t);
  const res = await cpipe(t, dir, []);
  assert.equal(res.code, 0);
  assert.match(res.stdout, /^cpipe: call tool servers over named pipes/);
  assert.match(res.stdout, /cpipe --tui \[--dir DIR\]/);
  assert.doesNotMatch(res.stdout, /not installed/, "the install hint is for terminals only");
});

test("usage errors exit 2 with one line and a pointer to --help", async (t) => {
  const dir = await tempDir(t);
  const cases: [string[], RegExp][] = [
    [["--dir", "/tmp"], /missing the tool name/],
    [["demo", "ping", "--bogus"], /unknown option '--bogus'/],
    [["demo", "echo", "a", "b"], /too many arguments/],
    [["demo", "echo", "a", "-d", "b"], /give DATA once/],
    [["demo", "echo", "-j", "[1]"], /-j\/--json must be a JSON object/],
    [["demo", "echo", "-j", "{oops"], /-j\/--json is not valid JSON/],
    [["demo", "echo", "-j", '{"id":1}'], /must not set 'id'/],
    [["demo", "ping", "-t", "soon"], /-t\/--timeout takes seconds/],
    [["demo", "ping", "--list"], /--list takes at most one directory|does not apply/],
    [["--list", "--clear"], /choose one of --list, --clear/],
    [["demo", "ping", "-t"], /option -t, --timeout <value> needs a value/],
    [["bad/../name", "ping"], /must end in 'tool-<name>'|invalid/],
  ];
  const results = await Promise.all(cases.map(([args]) => cpipe(t, dir, args)));
  for (const [i, [args, pattern]] of cases.entries()) {
    const res = results[i]!;
    assert.equal(res.code, 2, `cpipe ${args.join(" ")}: ${res.stderr}`);
    assert.equal(res.stdout, "");
    assert.match(res.stderr, pattern);
    assert.match(res.stderr, /^cpipe: [^\n]*; run 'cpipe --help' for usage\n$/);
  }
});
