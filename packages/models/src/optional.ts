/**
 * Optional native bindings (a heavy npm package an engine needs and the default install does
 * not carry): loaded on first use, with an error that names the install command.
 */
import { ModelError } from "./errors.js";

/**
 * Runs `load` (a dynamic `import()` of `pkg`, written in the package that declares the optional
 * peer dependency so that it resolves from there) and returns the module's exports (its
 * `default` for CommonJS packages). `also` lists other packages `load` may fall back to.
 * @throws ModelError `ENOTINSTALLED`, naming `install` (missing) or a reinstall (broken)
 */
export async function importOptional<T>(
  load: () => Promise<unknown>,
  pkg: string,
  install: string,
  also: readonly string[] = [],
): Promise<T> {
  let mod: unknown;
  try {
    mod = await load();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const missing =
      (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") &&
      [pkg, ...also].some((name) => String((err as Error).message).includes(name));
    throw new ModelError(
      "ENOTINSTALLED",
      missing
        ? `this needs the npm package ${pkg}, which is not installed: ${install}`
        : `${pkg} is installed but cannot be loaded (${(err as Error).message}): reinstall it (${install})`,
      { cause: err },
    );
  }
  const m = mod as { default?: unknown };
  return (m.default !== undefined && typeof m.default === "object" ? m.default : mod) as T;
}
