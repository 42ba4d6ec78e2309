/**
 * A small JSON Schema checker for the subset our servers publish as a command's `input_schema`
 * (what zod's toJSONSchema produces for argument objects): type, enum, const, numeric and
 * length bounds, pattern, required, properties, additionalProperties, items, anyOf/oneOf. It
 * exists so the call form can show mistakes next to the field before anything is sent; the
 * server still validates every request itself, so a keyword this does not know is ignored
 * rather than guessed at.
 */
import { isRecord } from "named-pipe-tools";

/** A JSON Schema object (loosely typed: it comes from the wire). */
export type JsonSchema = Record<string, unknown>;

/** One problem, at a path of property names and indexes. */
export interface SchemaIssue {
  path: (string | number)[];
  message: string;
}

/** The JSON type name of a value (`integer` for whole numbers). */
export function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function typeMatches(value: unknown, type: string): boolean {
  const actual = jsonType(value);
  return actual === type || (type === "number" && actual === "integer");
}

/** The type names a schema allows (empty: any). */
export function schemaTypes(schema: JsonSchema): string[] {
  const t = schema["type"];
  if (typeof t === "string") return [t];
  if (Array.isArray(t)) return t.filter((x): x is string => typeof x === "string");
  return [];
}

/** Checks `value` against `schema`; returns every problem found (none: valid). */
export function validate(
  value: unknown,
  schema: JsonSchema,
  path: (string | number)[] = [],
): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const add = (message: string, at = path): void => void issues.push({ path: at, message });
  const types = schemaTypes(schema);
  if (types.length > 0 && !types.some((t) => typeMatches(value, t))) {
    add(`must be ${types.join(" or ")}, got ${jsonType(value)}`);
    return issues;
  }
  if (
    Array.isArray(schema["enum"]) &&
    !schema["enum"].some((e) => JSON.stringify(e) === JSON.stringify(value))
  ) {
    add(`must be one of ${schema["enum"].map((e) => JSON.stringify(e)).join(", ")}`);
  }
  if ("const" in schema && JSON.stringify(schema["const"]) !== JSON.stringify(value)) {
    add(`must be ${JSON.stringify(schema["const"])}`);
  }
  if (typeof value === "number") checkNumber(value, schema, add);
  if (typeof value === "string") checkString(value, schema, add);
  if (Array.isArray(value)) {
    const items = schema["items"];
    if (typeof schema["minItems"] === "number" && value.length < schema["minItems"]) {
      add(`needs at least ${schema["minItems"]} items`);
    }
    if (typeof schema["maxItems"] === "number" && value.length > schema["maxItems"]) {
      add(`takes at most ${schema["maxItems"]} items`);
    }
    if (isRecord(items)) value.forEach((v, i) => issues.push(...validate(v, items, [...path, i])));
  }
  if (isRecord(value)) issues.push(...checkObject(value, schema, path));
  for (const key of ["anyOf", "oneOf"] as const) {
    const options = schema[key];
    if (!Array.isArray(options) || options.length === 0) continue;
    const results = options.filter(isRecord).map((s) => validate(value, s, path));
    if (!results.some((r) => r.length === 0)) {
      issues.push(
        ...(results.length === 1
          ? results[0]!
          : [{ path, message: "matches none of the allowed forms" }]),
      );
    }
  }
  return issues;
}

function checkNumber(value: number, schema: JsonSchema, add: (m: string) => void): void {
  const n = (k: string): number | undefined => {
    const v = schema[k];
    return typeof v === "number" ? v : undefined;
  };
  const min = n("minimum");
  const max = n("maximum");
  const xmin = n("exclusiveMinimum");
  const xmax = n("exclusiveMaximum");
  if (min !== undefined && value < min) add(`must be ≥ ${min}`);
  if (max !== undefined && value > max) add(`must be ≤ ${max}`);
  if (xmin !== undefined && value <= xmin) add(`must be > ${xmin}`);
  if (xmax !== undefined && value >= xmax) add(`must be < ${xmax}`);
}

function checkString(value: string, schema: JsonSchema, add: (m: string) => void): void {
  const length = [...value].length;
  if (typeof schema["minLength"] === "number" && length < schema["minLength"]) {
    add(
      schema["minLength"] === 1
        ? "must not be empty"
        : `needs at least ${schema["minLength"]} characters`,
    );
  }
  if (typeof schema["maxLength"] === "number" && length > schema["maxLength"]) {
    add(`takes at most ${schema["maxLength"]} characters`);
  }
  if (typeof schema["pattern"] === "string") {
    let re: RegExp | undefined;
    try {
      re = new RegExp(schema["pattern"], "u");
    } catch {
      re = undefined; // a pattern JavaScript cannot read: leave it to the server
    }
    if (re !== undefined && !re.test(value)) add(`must match ${schema["pattern"]}`);
  }
}

function checkObject(
  value: Record<string, unknown>,
  schema: JsonSchema,
  path: (string | number)[],
): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const props = isRecord(schema["properties"]) ? schema["properties"] : {};
  const required = Array.isArray(schema["required"]) ? schema["required"] : [];
  for (const key of required) {
    if (typeof key === "string" && !(key in value))
      issues.push({ path: [...path, key], message: "is required" });
  }
  for (const [key, v] of Object.entries(value)) {
    const sub = props[key];
    if (isRecord(sub)) issues.push(...validate(v, sub, [...path, key]));
    else if (schema["additionalProperties"] === false) {
      issues.push({ path: [...path, key], message: "is not an argument of this command" });
    } else if (isRecord(schema["additionalProperties"])) {
      issues.push(...validate(v, schema["additionalProperties"], [...path, key]));
    }
  }
  return issues;
}
