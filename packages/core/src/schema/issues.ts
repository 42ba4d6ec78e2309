/**
 * Readable argument errors: each names the argument once and says what was given, for example
 * `argument 'n': expected number, got "five"` or `missing required argument 'n' (expected
 * number)`, instead of zod's `n: Invalid input: expected number, received NaN` (which reports the
 * value after coercion, not the one sent).
 */
import type { z } from "zod";

/** Longest rendering of a given value before it is cut. */
const GIVEN_MAX = 60;

/** Zod's generic lead-ins, which say less than the rest of the message. */
const LEAD_IN =
  /^(Invalid input|Too small|Too big|Invalid option|Invalid string|Invalid number|Invalid value): /;

function argumentName(path: readonly PropertyKey[]): string {
  let name = "";
  for (const part of path) {
    if (typeof part === "number") name += `[${part}]`;
    else name += name === "" ? String(part) : `.${String(part)}`;
  }
  return name;
}

/** The value at `path` in the arguments as sent; undefined when absent. */
function given(raw: unknown, path: readonly PropertyKey[]): unknown {
  let value = raw;
  for (const part of path) {
    if (typeof value !== "object" || value === null) return undefined;
    if (!Object.hasOwn(value, part)) return undefined;
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return value;
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length <= GIVEN_MAX ? text : `${text.slice(0, GIVEN_MAX - 3)}...`;
}

/** What the issue says is wrong, without zod's lead-in or its `received` (coerced) type. */
function expectation(issue: z.core.$ZodIssue): string {
  const text = issue.message.replace(LEAD_IN, "").replace(/, received \S+$/, "");
  return text === "Invalid input" || text === "" ? "invalid value" : text;
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown, known: readonly string[]): string {
  if (issue.code === "unrecognized_keys") {
    const keys = issue.keys.map((k) => `'${k}'`).join(", ");
    const takes = known.length === 0 ? "none" : known.join(", ");
    return `unknown argument${issue.keys.length === 1 ? "" : "s"} ${keys} (it takes: ${takes})`;
  }
  const what = expectation(issue);
  if (issue.path.length === 0) return what;
  const name = argumentName(issue.path);
  const value = given(raw, issue.path);
  if (value === undefined) return `missing required argument '${name}' (${what})`;
  return `argument '${name}': ${what}, got ${show(value)}`;
}

/**
 * Turns a failed validation of `raw` into one line: each problem names its argument once and
 * shows the value given. `known` lists the argument names the command takes.
 */
export function formatIssues(error: z.ZodError, raw: unknown, known: readonly string[]): string {
  return error.issues.map((issue) => describeIssue(issue, raw, known)).join("; ");
}
