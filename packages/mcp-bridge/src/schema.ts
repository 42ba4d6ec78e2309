/**
 * Input schemas both ways: a pipe command's spec -> an MCP tool's `inputSchema`, and an MCP
 * tool's `inputSchema` -> the reference-style argument list `get_interface` publishes.
 */
import type { ArgSpec, CommandSpec } from "named-pipe-tools";
import { argJsonType } from "named-pipe-tools";

/** A JSON Schema object whose root is `type: "object"` (what MCP requires of `inputSchema`). */
export type ObjectSchema = { type: "object"; [key: string]: unknown };

function fromArgs(args: readonly ArgSpec[]): ObjectSchema {
  const properties: Record<string, Record<string, unknown>> = {};
  const required: string[] = [];
  for (const arg of args) {
    const prop: Record<string, unknown> = {};
    const type = argJsonType(arg.type); // ours publish JSON type names, the Python project's Python ones
    if (type !== undefined) prop["type"] = type;
    if (arg.description !== "") prop["description"] = arg.description;
    if (arg.default !== undefined) prop["default"] = arg.default;
    properties[arg.name] = prop;
    if (arg.required) required.push(arg.name);
  }
  const schema: ObjectSchema = { type: "object", properties, additionalProperties: true };
  if (required.length > 0) schema["required"] = required;
  return schema;
}

/**
 * The MCP `inputSchema` of a pipe command: its `input_schema` when it has one (our servers),
 * else one built from its argument list (reference servers), else any object.
 */
export function inputSchemaOf(spec: CommandSpec): ObjectSchema {
  const declared = spec.input_schema;
  if (declared !== undefined && declared["type"] === "object") {
    const copy: Record<string, unknown> = { ...declared };
    delete copy["$schema"];
    return copy as ObjectSchema;
  }
  if (spec.args.length > 0) return fromArgs(spec.args);
  return { type: "object", additionalProperties: true };
}

function typeName(prop: Record<string, unknown>): string {
  const type = prop["type"];
  if (typeof type === "string") return type;
  if (Array.isArray(type)) {
    const named = type.filter((t): t is string => typeof t === "string" && t !== "null");
    if (named.length === 1) return named[0]!;
  }
  return "any";
}

/** The argument list (`CommandSpec.args`) described by a JSON Schema object. */
export function argsOf(schema: Record<string, unknown>): ArgSpec[] {
  const props = schema["properties"];
  if (typeof props !== "object" || props === null) return [];
  const required = new Set(
    Array.isArray(schema["required"]) ? (schema["required"] as unknown[]) : [],
  );
  return Object.entries(props as Record<string, unknown>).map(([name, raw]) => {
    const prop = typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>) : {};
    const spec: ArgSpec = {
      name,
      description: typeof prop["description"] === "string" ? prop["description"] : "",
      type: typeName(prop),
      required: required.has(name) && !("default" in prop),
    };
    if ("default" in prop) spec.default = prop["default"];
    return spec;
  });
}
