#!/usr/bin/env node
/**
 * Runs the demo server: `node dist/src/demo/main.js [--name NAME] [--dir DIR]`.
 * Prints `ready <upstream path>` on stdout once it serves; stops on SIGINT, SIGTERM or `stop`.
 */
import { parseArgs } from "node:util";
import { runServerMain } from "../server/run-main.js";
import { serverType } from "./server-type.js";

const { values, tokens } = parseArgs({
  options: {
    name: { type: "string" },
    dir: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
  tokens: true,
});
process.exitCode = await runServerMain(
  {
    ...serverType,
    start: (_args, common) =>
      serverType.start([], {
        ...common,
        ...(values.name === undefined ? {} : { name: values.name }),
        ...(values.dir === undefined ? {} : { dir: values.dir }),
      }),
  },
  tokens.some((t) => t.kind === "option" && t.name === "help") ? ["--help"] : [],
);
