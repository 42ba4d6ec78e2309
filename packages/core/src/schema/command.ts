/**
 * Command declarations: one zod schema per command drives argument validation, the
 * `get_interface` description and JSON Schema for the CLI and MCP bridge.
 */
import { z } from "zod";
import type { ArgSpec, CommandSpec, EventSpec } from "./interface.js";
import { formatIssues } from "./issues.js";

/** Declaration of one event a command or tool sends. */
export interface EventDeclaration {
  description?: string;
  /** Fields of the event (besides `event` and `id`). */
  fields?: z.ZodObject;
}

/** Declaration of a command. */
export interface CommandDeclaration<Args extends z.ZodObject = z.ZodObject> {
  /** What the command does, one sentence. */
  description?: string;
  /** Schema of the arguments object. Unknown keys are rejected unless the schema is `.loose()`. */
  args?: Args;
  /** The command streams `done:false` items before its final reply. */
  stream?: boolean;
  /** Event name of the final reply (for documentation). */
  reply?: string;
  /** Events the command sends, for documentation and the MCP bridge. */
  events?: Record<string, EventDeclaration>;
}

/** A compiled command: a validator plus its published spec. */
export interface CompiledCommand {
  spec: CommandSpec;
  events: EventSpec[];
  /** Validates raw arguments; returns parsed arguments or a readable error. */
  validate: (
    raw: Record<string, unknown>,
  ) => { ok: true; args: unknown } | { ok: false; error: string };
}

type JsonSchema = Record<string, unknown>;

function toJsonSchema(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, { unrepresentable: "any", io: "input" });
}

function argsFromSchema(schema: JsonSchema): ArgSpec[] {
  const props = (schema["properties"] ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema["required"] as string[] | undefined) ?? []);
  return Object.entries(props).map(([name, prop]) => {
    const spec: ArgSpec = {
      name,
      description: typeof prop["description"] === "string" ? prop["description"] : "",
      type: typeof prop["type"] === "string" ? prop["type"] : "any",
      required: required.has(name) && !("default" in prop),
    };
    if ("default" in prop) spec.default = prop["default"];
    return spec;
  });
}

/**
 * When a command has exactly one required argument and it is a string, a request that omits it
 * but carries a string `data` (what `cpipe tool cmd "text"` sends) fills it from `data`.
 */
function soleStringArg(schema: JsonSchema): string | undefined {
  const props = (schema["properties"] ?? {}) as Record<string, JsonSchema>;
  const required = (schema["required"] as string[] | undefined) ?? [];
  if (required.length !== 1) return undefined;
  const name = required[0]!;
  return props[name]?.["type"] === "string" && name !== "data" ? name : undefined;
}

/** Compiles a declaration for command `name`. */
export function compileCommand(name: string, decl: CommandDeclaration): CompiledCommand {
  // Unknown arguments are an error (a typo should not pass silently) unless the schema says
  // otherwise with .loose() or .catchall().
  const declared = decl.args ?? z.object({}).loose();
  const schema = declared._zod.def.catchall === undefined ? declared.strict() : declared;
  const json = toJsonSchema(schema);
  delete json["$schema"];
  const fromData = soleStringArg(json);
  const known = Object.keys(json["properties"] ?? {});
  const events: EventSpec[] = Object.entries(decl.events ?? {}).map(([event, e]) => ({
    name: event,
    description: e.description ?? "",
    fields: e.fields === undefined ? [] : argsFromSchema(toJsonSchema(e.fields)),
  }));
  const spec: CommandSpec = {
    name,
    description: decl.description ?? "",
    args: argsFromSchema(json),
    input_schema: json,
  };
  if (decl.stream === true) spec.stream = true;
  if (decl.reply !== undefined) spec.reply = decl.reply;
  return {
    spec,
    events,
    validate(raw) {
      let input = raw;
      if (
        fromData !== undefined &&
        input[fromData] === undefined &&
        typeof input["data"] === "string"
      ) {
        const { data, ...rest } = input;
        input = { ...rest, [fromData]: data };
      }
      const result = schema.safeParse(input);
      return result.success
        ? { ok: true, args: result.data }
        : { ok: false, error: formatIssues(result.error, input, known) };
    },
  };
}

/** Compiles a command registered without a schema: any arguments pass. */
export function compileUntyped(name: string, description = ""): CompiledCommand {
  return {
    spec: { name, description, args: [] },
    events: [],
    validate: (raw) => ({ ok: true, args: raw }),
  };
}
