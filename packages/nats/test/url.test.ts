/**
 * NATS addresses and the NATS command line.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { PipeToolError } from "named-pipe-tools";
import { isNatsUrl, parseNatsUrl, redact } from "named-pipe-tools-nats";
import { isNatsCommand } from "named-pipe-tools-nats";

test("parses servers, credentials and the tool name", () => {
  assert.deepEqual(parseNatsUrl("nats://gpu:4223/chat"), {
    servers: ["nats://gpu:4223"],
    tool: "chat",
    tls: false,
  });
  assert.deepEqual(parseNatsUrl("tls://u:p%40ss@a,b:5/tts"), {
    servers: ["tls://a:4222", "tls://b:5"],
    tool: "tts",
    tls: true,
    user: "u",
    password: "p@ss",
  });
  assert.equal(parseNatsUrl("nats://tok@h").token, "tok");
  assert.equal(parseNatsUrl("nats://[::1]:4222").servers[0], "nats://[::1]:4222");
  assert.equal(redact("nats://u:secret@h:1/x"), "nats://***@h:1/x");
  assert.ok(isNatsUrl("NATS://h") && !isNatsUrl("http://h"));
});

test("bad addresses say what is wrong and never echo a password", () => {
  const bad = (url: string, mode: "required" | "none", re: RegExp): void => {
    assert.throws(
      () => parseNatsUrl(url, mode),
      (err: PipeToolError) => {
        assert.ok(err.code === "EUSAGE" || err.code === "EBADNAME", err.code);
        assert.match(err.message, re);
        assert.doesNotMatch(err.message, /hunter2/);
        return true;
      },
    );
  };
  bad("nats://u:hunter2@h:99999", "none", /out of range/);
  bad("nats://h", "required", /names no tool/);
  bad("nats://h/demo", "none", /does not belong here/);
  bad("nats://h/../x", "required", /./);
  bad("nats://h h", "none", /HOST:PORT/);
});

test("cpipe hands exactly the NATS command lines to this package", () => {
  assert.ok(isNatsCommand(["--export", "nats://h", "--all"]));
  assert.ok(isNatsCommand(["--import=nats://h/x"]));
  assert.ok(isNatsCommand(["--list", "nats://h"]));
  assert.ok(isNatsCommand(["tls://h/demo", "ping"]));
  assert.ok(!isNatsCommand(["demo", "echo", "nats-like"]));
  assert.ok(!isNatsCommand(["--list", "/tmp"]));
});
