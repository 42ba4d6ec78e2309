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
  assert.equal((bad as { error: string }).error, "argument 'text': expected string, got 5");
});

test("each problem names its argument once and shows the value given, not the coerced one", () => {
  const count = compileCommand("count", {
    args: z.object({
      n: z.coerce.number().int().min(0),
      opts: z.object({ mode: z.enum(["a", "b"]) }).optional(),
      list: z.array(z.object({ role: z.string() })).optional(),
    }),
  });
  const error = (raw: Record<string, unknown>): string =>
    (count.validate(raw) as { ok: false; error: string }).error;
  assert.equal(error({ n: "five" }), `argument 'n': expected number, got "five"`);
  assert.equal(error({}), "missing required argument 'n' (expected number)");
  assert.equal(error({ n: -1 }), "argument 'n': expected number to be >=0, got -1");
  assert.equal(error({ n: 1.5 }), "argument 'n': expected int, got 1.5");
  assert.equal(
    error({ n: 1, opts: { mode: "c" } }),
    `argument 'opts.mode': expected one of "a"|"b", got "c"`,
  );
  assert.equal(
    error({ n: 1, list: [{ role: 3 }] }),
    "argument 'list[0].role': expected string, got 3",
  );
  assert.equal(error({ n: 1, x: 1, y: 2 }), "unknown arguments 'x', 'y' (it takes: n, opts, list)");
  assert.match(error({ n: "x".repeat(500) }), /^argument 'n': expected number, got "x{56}\.\.\.$/);
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
