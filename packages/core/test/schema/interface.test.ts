/** Interface descriptions: the argument type names servers publish. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { argJsonType } from "../../src/schema/interface.js";

test("argJsonType reads JSON and Python type names, and nothing inherited", () => {
  assert.equal(argJsonType("str"), "string");
  assert.equal(argJsonType("int"), "integer");
  assert.equal(argJsonType("float"), "number");
  assert.equal(argJsonType("bool"), "boolean");
  assert.equal(argJsonType("list"), "array");
  assert.equal(argJsonType("dict"), "object");
  assert.equal(argJsonType("integer"), "integer");
  assert.equal(argJsonType("object"), "object");
  assert.equal(argJsonType("any"), undefined);
  assert.equal(argJsonType("tuple"), undefined);
  // A name an untrusted server publishes never reaches an object's inherited members.
  assert.equal(argJsonType("constructor"), undefined);
  assert.equal(argJsonType("__proto__"), undefined);
  assert.equal(argJsonType("toString"), undefined);
});
