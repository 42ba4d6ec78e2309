/**
 * Interface descriptions as the reference serves them from `get_interface`:
 * Interface{name, description, commands: CommandSpec[], events: EventSpec[]}. Ours add an
 * `input_schema` (JSON Schema) to each command and `stream` where a command streams.
 */

/** One argument of a command, or one field of an event. */
export interface ArgSpec {
  name: string;
  description: string;
  /** JSON type name: `string`, `number`, `integer`, `boolean`, `object`, `array` or `any`. */
  type: string;
  required: boolean;
  default?: unknown;
}

/** One command. */
export interface CommandSpec {
  name: string;
  description: string;
  args: ArgSpec[];
  /** Our addition: JSON Schema (draft 2020-12) of the arguments object. */
  input_schema?: Record<string, unknown>;
  /** Our addition: the command streams `done:false` items before its final reply. */
  stream?: boolean;
  /** Our addition: name of the event that carries the final reply. */
  reply?: string;
}

/** One event a tool may send. */
export interface EventSpec {
  name: string;
  description: string;
  fields: ArgSpec[];
}

/** A named group of commands and events. */
export interface InterfaceSpec {
  name: string;
  description: string;
  commands: CommandSpec[];
  events: EventSpec[];
}

const arg = (name: string, description: string, type = "str", required = true): ArgSpec => ({
  name,
  description,
  type,
  required,
});

/** The built-in interface every server implements. */
export const BASE_INTERFACE: InterfaceSpec = {
  name: "base",
  description: "Built-in commands every tool server answers.",
  commands: [
    {
      name: "subscribe",
      description: "Register to receive replies and broadcasts.",
      args: [],
      reply: "subscribed",
    },
    { name: "unsubscribe", description: "Stop receiving replies and broadcasts.", args: [] },
    { name: "ping", description: "Liveness check.", args: [], reply: "pong" },
    { name: "get_state", description: "Current state.", args: [], reply: "state" },
    {
      name: "get_description",
      description: "One-line description.",
      args: [],
      reply: "description",
    },
    { name: "get_help", description: "Usage text.", args: [], reply: "help" },
    { name: "get_config", description: "Current configuration.", args: [], reply: "config" },
    {
      name: "list_interfaces",
      description: "Names of supported interfaces.",
      args: [],
      reply: "interfaces",
    },
    {
      name: "get_interface",
      description: "Commands and events of one interface.",
      args: [arg("name", "Interface name (default: base)", "str", false)],
      reply: "interface",
    },
    {
      name: "cancel",
      description: "Cancel this client's in-flight request `target` (all of them when omitted).",
      args: [arg("target", "Id of the request to cancel", "any", false)],
      reply: "cancelled",
    },
    { name: "stop", description: "Stop the server.", args: [] },
  ],
  events: [
    {
      name: "state_changed",
      description: "Broadcast on every state change.",
      fields: [arg("state", "New state")],
    },
    {
      name: "error",
      description: "A request failed.",
      fields: [arg("message", "What went wrong"), arg("code", "Stable error code", "str", false)],
    },
  ],
};

/** A JSON Schema type name an argument can have. */
export type JsonTypeName = "string" | "integer" | "number" | "boolean" | "array" | "object";

const JSON_TYPES: Readonly<Record<string, JsonTypeName>> = {
  str: "string",
  string: "string",
  int: "integer",
  integer: "integer",
  float: "number",
  number: "number",
  bool: "boolean",
  boolean: "boolean",
  list: "array",
  array: "array",
  dict: "object",
  object: "object",
};

/**
 * The JSON Schema type of an {@link ArgSpec}'s `type` as servers publish it: ours write JSON
 * type names, servers of the Python project write Python ones (`str`, `int`, `float`, `bool`,
 * `list`, `dict`). Undefined for `any` and for names it does not know.
 */
export function argJsonType(type: string): JsonTypeName | undefined {
  return Object.hasOwn(JSON_TYPES, type) ? JSON_TYPES[type] : undefined;
}

/**
 * The built-in commands that only ask a tool about itself and change nothing: what a caller
 * may send to any server, ours or the Python project's, and what may be offered to callers on
 * other machines (`subscribe`, `unsubscribe`, `cancel` and `stop` are left out).
 */
export const QUERY_BUILTINS: readonly string[] = [
  "ping",
  "get_state",
  "get_description",
  "get_help",
  "get_config",
  "list_interfaces",
  "get_interface",
];
