/**
 * Turning a filled form into what is sent: a command's argument object (checked against its
 * JSON Schema, so mistakes show next to their field before sending) or a server type's
 * command-line options (checked by the core's own option parser, as `cpipe --serve` will).
 */
import type { ServerType } from "named-pipe-tools";
import { isRecord, parseServeArgs } from "named-pipe-tools";
import type { FormField } from "./form-fields.js";
import { parseField } from "./form-fields.js";
import type { JsonSchema } from "./json-schema.js";
import { validate } from "./json-schema.js";

/** A form's outcome: the value, or errors by field key (and for the form as a whole). */
export interface Assembled<T> {
  value?: T;
  fieldErrors: Record<string, string>;
  formError?: string;
}

function schemaErrors(
  args: Record<string, unknown>,
  schema: JsonSchema | undefined,
  keys: ReadonlySet<string>,
): Pick<Assembled<never>, "fieldErrors" | "formError"> {
  const fieldErrors: Record<string, string> = {};
  const other: string[] = [];
  for (const issue of schema === undefined ? [] : validate(args, schema)) {
    const [head, ...rest] = issue.path;
    const where = rest.length === 0 ? "" : `${rest.map(String).join(".")} `;
    if (typeof head === "string" && keys.has(head))
      fieldErrors[head] ??= `${where}${issue.message}`;
    else other.push(head === undefined ? issue.message : `${String(head)} ${issue.message}`);
  }
  return { fieldErrors, ...(other.length === 0 ? {} : { formError: other.join("; ") }) };
}

/** Builds a command's arguments from field texts; errors come from parsing, then the schema. */
export function assembleArgs(
  fields: readonly FormField[],
  texts: Readonly<Record<string, string>>,
  schema: JsonSchema | undefined,
): Assembled<Record<string, unknown>> {
  const args: Record<string, unknown> = {};
  const fieldErrors: Record<string, string> = {};
  for (const field of fields) {
    const parsed = parseField(field, texts[field.key] ?? "");
    if (!parsed.ok) fieldErrors[field.key] = parsed.error;
    else if (parsed.value !== undefined) args[field.key] = parsed.value;
  }
  if (Object.keys(fieldErrors).length > 0) return { fieldErrors };
  const checked = schemaErrors(args, schema, new Set(fields.map((f) => f.key)));
  return Object.keys(checked.fieldErrors).length > 0 || checked.formError !== undefined
    ? checked
    : { value: args, fieldErrors: {} };
}

/** Builds a command's arguments from one JSON text (the form's JSON mode). */
export function assembleJson(
  text: string,
  fields: readonly FormField[],
  schema: JsonSchema | undefined,
): Assembled<Record<string, unknown>> {
  let value: unknown;
  try {
    value = text.trim() === "" ? {} : JSON.parse(text);
  } catch (err) {
    return { fieldErrors: {}, formError: `not valid JSON: ${(err as Error).message}` };
  }
  if (!isRecord(value))
    return { fieldErrors: {}, formError: "the arguments must be a JSON object" };
  const checked = schemaErrors(value, schema, new Set(fields.map((f) => f.key)));
  const errors = Object.entries(checked.fieldErrors).map(([k, m]) => `${k} ${m}`);
  if (checked.formError !== undefined) errors.push(checked.formError);
  return errors.length > 0
    ? { fieldErrors: {}, formError: errors.join("; ") }
    : { value, fieldErrors: {} };
}

/** The command-line words for a server type's option fields (`--flag value`, `--no-flag`). */
export function optionArgs(
  fields: readonly FormField[],
  texts: Readonly<Record<string, string>>,
): Assembled<string[]> {
  const words: string[] = [];
  const fieldErrors: Record<string, string> = {};
  for (const field of fields) {
    const parsed = parseField(field, texts[field.key] ?? "");
    if (!parsed.ok) {
      fieldErrors[field.key] = parsed.error;
      continue;
    }
    const value = parsed.value;
    if (value === undefined) continue;
    if (typeof value === "boolean") words.push(value ? `--${field.key}` : `--no-${field.key}`);
    else if (Array.isArray(value)) words.push(`--${field.key}`, value.join(","));
    else words.push(`--${field.key}=${value as string | number}`);
  }
  return Object.keys(fieldErrors).length > 0 ? { fieldErrors } : { value: words, fieldErrors };
}

/**
 * Checks a server type's command-line words with the core's own parser, so a launch fails in
 * the form rather than in the child. An error naming `--flag` goes to that field.
 */
export function checkServeArgs(
  type: ServerType,
  words: readonly string[],
  fields: readonly FormField[],
): Assembled<string[]> {
  try {
    parseServeArgs(type, words);
    return { value: [...words], fieldErrors: {} };
  } catch (err) {
    const message = (err as Error).message;
    const field = fields.find((f) => new RegExp(`--(no-)?${f.key}\\b`).test(message));
    return field === undefined
      ? { fieldErrors: {}, formError: message }
      : { fieldErrors: { [field.key]: message }, formError: message };
  }
}

/** Splits a command line into words: whitespace separates, '…' and "…" quote. */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (const ch of line) {
    if (quote !== undefined) {
      if (ch === quote) quote = undefined;
      else word = (word ?? "") + ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      word ??= "";
    } else if (/\s/.test(ch)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else word = (word ?? "") + ch;
  }
  if (word !== undefined) words.push(word);
  return words;
}
