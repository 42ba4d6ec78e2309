/**
 * Form fields generated from a schema: a command's arguments (its JSON Schema `input_schema`,
 * else the reference-style `args` list) or a server type's options (`OptionSpec`). A field is
 * edited as text and parsed by its kind; complex values (objects, arrays, unions) are typed as
 * JSON, and a value of no declared type is JSON when it parses and plain text otherwise (as
 * cpipe's DATA).
 */
import type { ArgSpec, CommandSpec, OptionSpec } from "named-pipe-tools";
import { argJsonType, isRecord } from "named-pipe-tools";
import type { JsonSchema } from "./json-schema.js";
import { schemaTypes } from "./json-schema.js";

/** How a field's text becomes a value. */
export type FieldKind =
  | "string"
  | "number"
  | "integer"
  | "boolean"
  /** One of `choices`. */
  | "choice"
  /** A JSON text. */
  | "json"
  /** JSON when it parses, else the text itself. */
  | "any"
  /** Comma-separated words. */
  | "list";

/** One field of a generated form. */
export interface FormField {
  /** Argument name, or option flag without dashes. */
  key: string;
  kind: FieldKind;
  required: boolean;
  description: string;
  default?: unknown;
  choices?: readonly string[];
  /** A short description of what it takes (`integer 0..100`, `JSON object`). */
  hint: string;
  /** Its JSON Schema, for command arguments that have one. */
  schema?: JsonSchema;
}

function range(min: unknown, max: unknown): string {
  const lo = typeof min === "number" ? String(min) : "";
  const hi = typeof max === "number" ? String(max) : "";
  return lo === "" && hi === "" ? "" : ` ${lo}..${hi}`;
}

function fieldFromSchema(key: string, schema: JsonSchema, required: boolean): FormField {
  const types = schemaTypes(schema);
  const description = typeof schema["description"] === "string" ? schema["description"] : "";
  const base = {
    key,
    required,
    description,
    schema,
    ...("default" in schema ? { default: schema["default"] } : {}),
  };
  const choices = Array.isArray(schema["enum"]) ? schema["enum"] : undefined;
  if (choices !== undefined && choices.every((c) => typeof c === "string")) {
    return { ...base, kind: "choice", choices, hint: choices.join("|") };
  }
  const type = types.length === 1 ? types[0] : undefined;
  switch (type) {
    case "string":
      return { ...base, kind: "string", hint: "text" };
    case "number":
    case "integer":
      return { ...base, kind: type, hint: `${type}${range(schema["minimum"], schema["maximum"])}` };
    case "boolean":
      return { ...base, kind: "boolean", hint: "true|false" };
    case "object":
    case "array":
      return { ...base, kind: "json", hint: `JSON ${type}` };
    default:
      return types.length > 1
        ? { ...base, kind: "json", hint: `JSON ${types.join("|")}` }
        : { ...base, kind: "any", hint: "JSON or text" };
  }
}

/** The field kind of an argument's published type (JSON or Python type names). */
function kindOfArg(type: string): FieldKind {
  if (type === "any") return "any";
  const json = argJsonType(type);
  return json === undefined || json === "array" || json === "object" ? "json" : json;
}

function fieldFromArg(arg: ArgSpec): FormField {
  const kind = kindOfArg(arg.type);
  return {
    key: arg.name,
    kind,
    required: arg.required,
    description: arg.description,
    hint: kind === "json" ? `JSON ${arg.type}` : kind === "any" ? "JSON or text" : kind,
    ...(arg.default === undefined ? {} : { default: arg.default }),
  };
}

/** The fields of a command's arguments. */
export function commandFields(spec: CommandSpec): FormField[] {
  const schema = spec.input_schema;
  if (isRecord(schema) && isRecord(schema["properties"])) {
    const required = Array.isArray(schema["required"]) ? schema["required"] : [];
    return Object.entries(schema["properties"])
      .filter((entry): entry is [string, JsonSchema] => isRecord(entry[1]))
      .map(([key, sub]) => fieldFromSchema(key, sub, required.includes(key)));
  }
  return (spec.args ?? []).map(fieldFromArg);
}

/** The fields of a server type's options. */
export function optionFields(options: readonly OptionSpec[]): FormField[] {
  return options.map((o) => {
    const base = {
      key: o.flag,
      required: false,
      description: o.description,
      ...(o.default === undefined ? {} : { default: o.default }),
    };
    if (o.choices !== undefined && o.choices.length > 0) {
      return { ...base, kind: "choice" as const, choices: o.choices, hint: o.choices.join("|") };
    }
    const hint =
      o.type === "number" || o.type === "integer" ? `${o.type}${range(o.min, o.max)}` : o.type;
    return { ...base, kind: o.type, hint };
  });
}

/** The text a field starts with: its default, written the way it is typed. */
export function initialText(field: FormField): string {
  const value = field.default;
  if (value === undefined) return "";
  if (field.kind === "list" && Array.isArray(value)) return value.join(",");
  if (typeof value === "string" && field.kind !== "json") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

/** A parsed field: its value (undefined: left out) or what is wrong with its text. */
export type Parsed = { ok: true; value: unknown } | { ok: false; error: string };

/** Parses a field's text by its kind. Empty text leaves the field out. */
export function parseField(field: FormField, text: string): Parsed {
  const trimmed = text.trim();
  if (trimmed === "") {
    return field.required ? { ok: false, error: "is required" } : { ok: true, value: undefined };
  }
  switch (field.kind) {
    case "string":
      return { ok: true, value: text };
    case "choice":
      return field.choices?.includes(trimmed) === false
        ? { ok: false, error: `must be one of ${field.choices.join(", ")}` }
        : { ok: true, value: trimmed };
    case "number":
    case "integer": {
      const n = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(trimmed) ? Number(trimmed) : NaN;
      if (!Number.isFinite(n)) return { ok: false, error: `must be a number, got '${trimmed}'` };
      if (field.kind === "integer" && !Number.isInteger(n)) {
        return { ok: false, error: "must be a whole number" };
      }
      return { ok: true, value: n };
    }
    case "boolean":
      if (trimmed === "true" || trimmed === "false") return { ok: true, value: trimmed === "true" };
      return { ok: false, error: "must be true or false (Space toggles)" };
    case "list":
      return {
        ok: true,
        value: trimmed
          .split(",")
          .map((s) => s.trim())
          .filter((s) => s !== ""),
      };
    case "json":
      try {
        return { ok: true, value: JSON.parse(trimmed) as unknown };
      } catch (err) {
        return { ok: false, error: `is not valid JSON (${(err as Error).message})` };
      }
    case "any":
      try {
        return { ok: true, value: JSON.parse(trimmed) as unknown };
      } catch {
        return { ok: true, value: text };
      }
  }
}

/** The next value of a boolean or choice field when Space (or an arrow) cycles it. */
export function cycleValue(field: FormField, text: string, step: 1 | -1 = 1): string {
  const values =
    field.kind === "boolean"
      ? ["true", "false"]
      : field.kind === "choice"
        ? [...(field.choices ?? [])]
        : undefined;
  if (values === undefined || values.length === 0) return text;
  if (!field.required) values.unshift("");
  const at = values.indexOf(text.trim());
  return values[(at + step + values.length) % values.length] ?? "";
}
