/**
 * A model option's value: an existing path is used as it is; otherwise it names a model of
 * the catalog, fetched on first use.
 */
import { access } from "node:fs/promises";
import path from "node:path";
import { ModelError } from "./errors.js";
import type { FetchOptions } from "./fetch-model.js";
import { fetchModel } from "./fetch-model.js";
import type { ModelSpec } from "./spec.js";

/** Whether `value` is meant as a path (it has a slash, or starts with `.` or `~`). */
export function looksLikePath(value: string): boolean {
  return value.includes("/") || value.includes(path.sep) || /^[.~]/.test(value);
}

/**
 * The local path for a model option: `value` itself when it is an existing file or directory,
 * else the cached (fetched if need be) copy of the catalog model named `value`.
 * @throws ModelError `EUNKNOWNMODEL` (no such path, no such name: the message lists the names),
 *   or any error of {@link fetchModel}
 */
export async function resolveModel(
  value: string,
  catalog: readonly ModelSpec[],
  options: FetchOptions = {},
): Promise<string> {
  const exists = await access(value).then(
    () => true,
    () => false,
  );
  if (exists) return path.resolve(value);
  const spec = catalog.find((m) => m.name === value);
  if (spec !== undefined && !looksLikePath(value)) return fetchModel(spec, options);
  const names = catalog.map((m) => m.name).join(", ");
  throw new ModelError(
    "EUNKNOWNMODEL",
    looksLikePath(value)
      ? `model '${value}' does not exist (give an existing path, or one of: ${names})`
      : `unknown model '${value}' (known: ${names}; or give a path)`,
  );
}
