import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import { compileCommand, compileUntyped } from "../../src/schema/command.js";

const speak = compileCommand("speak", {
  description: "Say it",
  args: z.object({ text: z.string().describe("What to say"), rate: z.number().default(1) }),
  events: { speech_start: { description: "Started", fields: z.object({ speech_id: z.string() }) } },
});

test("a declaration becomes a reference-shaped CommandSpec with a JSON Schema", () => {
  assert.equal(speak.spec.name, "speak");
  assert.equal(speak.spec.description, "Say it");
  assert.deepEqual(speak.spec.args, [
    { name: "text", description: "What to say", type: "string", required: true },
    { name: "rate", description: "", type: "number", required: false, default: 1 },
  ]);
  assert.equal(speak.spec.input_schema?.["type"], "object");
  assert.deepEqual(speak.events, [
    {
      name: "speech_start",
      description: "Started",
      fields: [{ name: "speech_id", description: "", type: "string", required: true }],
    },
  ]);
});

test("validation applies defaults and reports readable errors", () => {
  assert.deepEqual(speak.validate({ text: "hi" }), { ok: true, args: { text: "hi", rate: 1 } });
  const bad = speak.validate({ text: 5 });
  assert.equal(bad.ok, false);
  assert.match((bad as { error: string }).error, /^text: /);
});

test("a sole required string argument is filled from data", () => {
  assert.deepEqual(speak.validate({ data: "Hello world." }), {
    ok: true,
    args: { text: "Hello world.", rate: 1 },
  });
});

test("unknown arguments are rejected unless the schema is loose", () => {
  assert.equal(speak.validate({ text: "a", extra: 1 }).ok, false);
});

test("untyped commands accept anything", () => {
  const any = compileUntyped("x");
  assert.deepEqual(any.validate({ a: 1 }), { ok: true, args: { a: 1 } });
  assert.deepEqual(any.spec.args, []);
});
