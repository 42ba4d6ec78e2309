/**
 * Small pure pieces: line editing, splitting a read into keys, the cpipe command line of a
 * call, `ps` elapsed times, free tool names, uptimes.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Key } from "ink";
import type { CallRecord } from "../../src/model/calls.js";
import { cpipeCommandLine } from "../../src/model/calls.js";
import { editLine, lineOf, visibleLine } from "../../src/model/line-edit.js";
import { parseElapsed } from "../../src/model/process-info.js";
import { formatUptime } from "../../src/ui/format.js";
import { NO_KEY, splitInput } from "../../src/ui/keys.js";
import { freeName } from "../../src/ui/launch-tab.js";

const NONE = NO_KEY;
const key = (k: Partial<Key>): Key => ({ ...NONE, ...k });

test("line editing: insert at the cursor, backspace, Ctrl-U/K/W, arrows", () => {
  let s = lineOf("helo");
  s = editLine(s, "", key({ leftArrow: true }))!;
  s = editLine(s, "l", key({}))!;
  assert.deepEqual(s, { text: "hello", cursor: 4 });
  s = editLine(s, "", key({ delete: true }))!;
  assert.deepEqual(s, { text: "helo", cursor: 3 });
  assert.deepEqual(editLine(lineOf("a b c"), "w", key({ ctrl: true })), {
    text: "a b ",
    cursor: 4,
  });
  assert.deepEqual(editLine({ text: "abc", cursor: 1 }, "u", key({ ctrl: true })), {
    text: "bc",
    cursor: 0,
  });
  assert.deepEqual(editLine({ text: "abc", cursor: 1 }, "k", key({ ctrl: true })), {
    text: "a",
    cursor: 1,
  });
  assert.equal(editLine(s, "", key({ return: true })), undefined, "Enter is not an edit");
  assert.deepEqual(visibleLine({ text: "abcdefghij", cursor: 10 }, 5), {
    before: "ghij",
    at: " ",
    after: "",
  });
});

test("one read with Enter, Tab or a Ctrl key inside becomes separate keys", () => {
  const keys = splitInput("5\r\x15ab\t", key({}));
  assert.deepEqual(
    keys.map(([input, k]) => [input, k.return, k.ctrl, k.tab]),
    [
      ["5", false, false, false],
      ["\r", true, false, false],
      ["u", false, true, false],
      ["ab", false, false, false],
      ["\t", false, false, true],
    ],
  );
  assert.deepEqual(splitInput("abc", key({})), [["abc", key({})]]);
});

test("a call as the cpipe command line: --dir only when not the default, -t 0 after a slow first reply", () => {
  const record: CallRecord = {
    seq: 1,
    tool: "demo",
    dir: "/tmp",
    cmd: "echo",
    args: { data: "it's" },
    status: "done",
    startedAt: 0,
    firstAt: 10,
    items: 0,
    text: "",
    messages: [],
  };
  assert.equal(cpipeCommandLine(record, "/tmp"), `cpipe demo echo -j '{"data":"it'\\''s"}'`);
  assert.equal(
    cpipeCommandLine({ ...record, dir: "/x y", args: {} }, "/tmp"),
    "cpipe --dir '/x y' demo echo",
  );
  assert.equal(
    cpipeCommandLine({ ...record, args: {}, firstAt: 9000 }, "/tmp"),
    "cpipe demo echo -t 0",
  );
});

test("ps elapsed times, free names, uptimes", () => {
  assert.equal(parseElapsed("   05:03\n"), 303);
  assert.equal(parseElapsed("1-02:03:04"), 93784);
  assert.equal(parseElapsed("junk"), undefined);
  assert.equal(freeName("demo", new Set()), "demo");
  assert.equal(freeName("demo", new Set(["demo", "demo2"])), "demo3");
  assert.equal(formatUptime(3_725_000), "1h02m");
  assert.equal(formatUptime(59_000), "59s");
});
