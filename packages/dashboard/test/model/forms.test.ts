/**
 * Forms from schemas: fields, parsing, the argument object checked against the JSON Schema,
 * and server-type options turned into command-line words checked by the core's own parser.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { CommandSpec, ServerType } from "named-pipe-tools";
import {
  assembleArgs,
  assembleJson,
  checkServeArgs,
  optionArgs,
  splitWords,
} from "../../src/model/assemble.js";
import {
  commandFields,
  cycleValue,
  initialText,
  optionFields,
  parseField,
} from "../../src/model/form-fields.js";
import { validate } from "../../src/model/json-schema.js";

const COUNT: CommandSpec = {
  name: "count",
  description: "",
  args: [],
  input_schema: {
    type: "object",
    properties: {
      n: { type: "integer", minimum: 0, maximum: 10 },
      mode: { type: "string", enum: ["a", "b"] },
      tags: { type: "array", items: { type: "string" } },
      data: { description: "anything" },
    },
    required: ["n"],
    additionalProperties: false,
  },
};

test("fields come from the JSON Schema: kinds, required, choices, defaults", () => {
  const fields = commandFields(COUNT);
  assert.deepEqual(
    fields.map((f) => [f.key, f.kind, f.required, f.hint]),
    [
      ["n", "integer", true, "integer 0..10"],
      ["mode", "choice", false, "a|b"],
      ["tags", "json", false, "JSON array"],
      ["data", "any", false, "JSON or text"],
    ],
  );
  const ref = commandFields({
    name: "x",
    description: "",
    args: [{ name: "k", description: "", type: "int", required: false, default: 3 }],
  });
  assert.equal(ref[0]?.kind, "integer");
  assert.equal(initialText(ref[0]), "3");
});

test("parsing by kind: numbers, JSON, text-or-JSON, empty leaves a field out", () => {
  const [n, mode, tags, data] = commandFields(COUNT);
  assert.deepEqual(parseField(n!, " 7 "), { ok: true, value: 7 });
  assert.deepEqual(parseField(n!, "7.5"), { ok: false, error: "must be a whole number" });
  assert.deepEqual(parseField(n!, ""), { ok: false, error: "is required" });
  assert.deepEqual(parseField(mode!, ""), { ok: true, value: undefined });
  assert.equal(parseField(mode!, "c").ok, false);
  assert.deepEqual(parseField(tags!, '["x"]'), { ok: true, value: ["x"] });
  assert.match((parseField(tags!, "[x") as { error: string }).error, /not valid JSON/);
  assert.deepEqual(parseField(data!, "hello there"), { ok: true, value: "hello there" });
  assert.deepEqual(parseField(data!, '{"a":1}'), { ok: true, value: { a: 1 } });
  assert.equal(cycleValue(mode!, ""), "a");
  assert.equal(cycleValue(mode!, "b"), "");
});

test("the argument object is checked against the schema; errors land on their field", () => {
  const fields = commandFields(COUNT);
  const schema = COUNT.input_schema;
  assert.deepEqual(assembleArgs(fields, { n: "3", tags: '["a"]' }, schema), {
    value: { n: 3, tags: ["a"] },
    fieldErrors: {},
  });
  assert.deepEqual(assembleArgs(fields, { n: "11" }, schema).fieldErrors, { n: "must be ≤ 10" });
  assert.deepEqual(assembleArgs(fields, { n: "1", tags: "[1]" }, schema).fieldErrors, {
    tags: "0 must be string, got integer",
  });
  assert.equal(
    assembleJson('{"n":1,"zzz":2}', fields, schema).formError,
    "zzz is not an argument of this command",
  );
  assert.equal(
    assembleJson("[1]", fields, schema).formError,
    "the arguments must be a JSON object",
  );
  assert.deepEqual(assembleJson('{"n":2}', fields, schema).value, { n: 2 });
});

test("the JSON Schema subset: types, bounds, lengths, patterns, unions", () => {
  assert.deepEqual(validate(1.5, { type: "integer" }), [
    { path: [], message: "must be integer, got number" },
  ]);
  assert.equal(validate(3, { type: "number" }).length, 0);
  assert.equal(validate("", { type: "string", minLength: 1 })[0]?.message, "must not be empty");
  assert.equal(validate("ab", { type: "string", pattern: "^a$" })[0]?.message, "must match ^a$");
  assert.equal(validate(5, { exclusiveMaximum: 5 })[0]?.message, "must be < 5");
  assert.equal(validate(null, { anyOf: [{ type: "string" }, { type: "null" }] }).length, 0);
  assert.equal(
    validate(1, { anyOf: [{ type: "string" }, { type: "null" }] })[0]?.message,
    "matches none of the allowed forms",
  );
  assert.equal(
    validate("x", { "x-unknown": true }).length,
    0,
    "unknown keywords are the server's business",
  );
});

const TYPE: ServerType = {
  name: "t",
  description: "",
  options: [
    { flag: "voice", type: "string", description: "", choices: ["a", "b"] },
    { flag: "rate", type: "integer", description: "", min: 1, max: 9 },
    { flag: "play", type: "boolean", description: "" },
    { flag: "keys", type: "list", description: "" },
  ],
  start: () => Promise.reject(new Error("not started in tests")),
};

test("server-type options become command-line words, checked by the core's parser", () => {
  const fields = optionFields(TYPE.options);
  const words = optionArgs(fields, { voice: "b", rate: "3", play: "false", keys: "x, y" });
  assert.deepEqual(words.value, ["--voice=b", "--rate=3", "--no-play", "--keys", "x,y"]);
  assert.deepEqual(checkServeArgs(TYPE, words.value, fields).value, words.value);
  const bad = checkServeArgs(TYPE, ["--rate=12"], fields);
  assert.equal(bad.value, undefined);
  assert.match(bad.fieldErrors["rate"] ?? "", /--rate/);
  assert.deepEqual(splitWords(`npx -y "my server" 'a b' c`), [
    "npx",
    "-y",
    "my server",
    "a b",
    "c",
  ]);
});
