import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { formatServeUsage, parseServeArgs } from "../../src/index.js";
import type { ServerType } from "../../src/index.js";
import { tempDir } from "named-pipe-tools-testkit";

const TYPE: ServerType = {
  name: "toy",
  description: "a toy type",
  options: [
    { flag: "model", type: "string", placeholder: "FILE", path: true, description: "a model" },
    { flag: "max-tokens", type: "integer", min: 1, max: 10, default: 5, description: "tokens" },
    { flag: "rate", type: "number", description: "a rate" },
    { flag: "probe", type: "boolean", default: true, description: "probe first" },
    { flag: "mode", type: "string", choices: ["a", "b"], description: "a mode" },
    { flag: "words", type: "list", description: "some words" },
  ],
  start: () => Promise.reject(new Error("not started in these tests")),
};

const parse = (args: string[]): Record<string, unknown> => parseServeArgs(TYPE, args).options;

test("flags become camelCase options, each checked against its declaration", () => {
  assert.deepEqual(
    parse(["--model", "m.gguf", "--max-tokens=7", "--no-probe", "--mode", "b", "--words", "x, y,"]),
    { model: "m.gguf", maxTokens: 7, probe: false, mode: "b", words: ["x", "y"] },
  );
  assert.deepEqual(parse(["--name", "n", "--dir", "/d", "--probe", "--rate", "-1.5"]), {
    name: "n",
    dir: "/d",
    probe: true,
    rate: -1.5,
  });
  const bad: [string[], string][] = [
    [["--bogus"], "unknown option '--bogus'"],
    [["--max-tokens", "two"], "--max-tokens needs a whole number, got 'two'"],
    [["--max-tokens", "1.5"], "--max-tokens needs a whole number, got '1.5'"],
    [["--max-tokens", "11"], "--max-tokens must be from 1 to 10, got '11'"],
    [["--mode", "c"], "--mode must be one of a, b, got 'c'"],
    [["--model"], "--model needs a value"],
    [["--model", "a", "--model", "b"], "--model is given twice"],
    [["--words", " , "], "--words needs a comma-separated list, got ' , '"],
    [["stray"], "unexpected argument 'stray' (options start with --)"],
    [["--", "x"], "--serve toy takes no arguments after '--'"],
    [["--no-mode"], "unknown option '--no-mode'"],
  ];
  for (const [args, message] of bad) {
    assert.throws(() => parse(args), { code: "EUSAGE", message }, args.join(" "));
  }
});

test("a config file gives values, flags win, and paths beside the file follow it", async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, "toy.json");
  await writeFile(path.join(dir, "m.gguf"), "");
  await writeFile(
    file,
    JSON.stringify({ model: "m.gguf", "max-tokens": 3, name: "x", probe: false }),
  );
  assert.deepEqual(parse(["--config", file, "--max-tokens", "4"]), {
    model: path.join(dir, "m.gguf"),
    maxTokens: 4,
    name: "x",
    probe: false,
  });
  await writeFile(file, JSON.stringify({ model: "not-beside-it.gguf" }));
  assert.equal(parse(["--config", file]).model, "not-beside-it.gguf");
  await writeFile(file, JSON.stringify({ colour: "blue" }));
  assert.throws(() => parse(["--config", file]), {
    message: `config file ${file}: unknown option 'colour'`,
  });
  await writeFile(file, JSON.stringify({ "max-tokens": "many" }));
  assert.throws(() => parse(["--config", file]), {
    message: `config file ${file}: 'max-tokens' needs a whole number, got 'many'`,
  });
  await writeFile(file, "[1]");
  assert.throws(() => parse(["--config", file]), { message: /must hold a JSON object/ });
  assert.throws(() => parse(["--config", path.join(dir, "none.json")]), {
    message: /cannot read config file .*none\.json: no such file/,
  });
});

test("rest arguments start at the first non-option or after --; --help is noticed", () => {
  const type: ServerType = {
    ...TYPE,
    rest: { name: "CMD", description: "a command", required: true },
  };
  assert.deepEqual(parseServeArgs(type, ["--rate", "1", "prog", "--x"]).options, {
    rate: 1,
    rest: ["prog", "--x"],
  });
  assert.deepEqual(parseServeArgs(type, ["--", "-p"]).options, { rest: ["-p"] });
  assert.throws(() => parseServeArgs(type, []), { message: "--serve toy needs CMD (after '--')" });
  assert.equal(parseServeArgs(type, ["--help"]).help, true);
  const usage = formatServeUsage(type);
  assert.match(usage, /^toy: a toy type\n\nUsage: cpipe --serve toy \[OPTIONS\] -- CMD\n/);
  assert.match(usage, /--max-tokens N +tokens \[5\]/);
  assert.match(usage, /--mode a\|b +a mode/);
});
