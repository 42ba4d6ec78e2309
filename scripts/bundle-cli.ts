/**
 * `npm run build` (after `tsc -b`): bundles cpipe's start-up path into one file,
 * packages/core/dist/src/cli/cpipe.js, the package's `bin`.
 *
 * Why: Node loads ES modules one by one through an asynchronous loader; `cpipe NAME ping` loaded
 * about 26 of them, which cost more than everything else it does after Node's own start-up. One
 * file of the same code starts about 40 ms sooner on the development machine (see
 * bench/README.md). Only the paths that a short call takes are inside: sending, describing,
 * watching. The others (`--serve`, `--detach`, `--list`, `mcp`, `--tui`, NATS, help) stay
 * separate modules, loaded from the same directory when asked for, so what they read from
 * `import.meta.url` stays true.
 */
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

const CLI = fileURLToPath(new URL("../../packages/core/dist/src/cli/", import.meta.url));

/** Modules the bundle loads from the directory it sits in, instead of containing them. */
const SEPARATE = [
  "./usage.js",
  "./discover.js",
  "./serve.js",
  "./mcp.js",
  "./tui.js",
  "./nats.js",
  "./detach.js",
  // Loading a package by name (the client's nats:// addresses): it reaches the demo server,
  // the server and zod, none of which a local call needs. cli/ and client/ are siblings, so
  // the path written in client/remote.js resolves the same from the bundle.
  "../serve/load-type.js",
];

const result = await build({
  entryPoints: [`${CLI}main.js`],
  outfile: `${CLI}cpipe.js`,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  external: SEPARATE,
  logLevel: "warning",
});
if (result.warnings.length > 0 || result.errors.length > 0) process.exitCode = 1;
