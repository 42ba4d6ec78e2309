#!/usr/bin/env node
/**
 * Runs the demo server: `node dist/src/demo/main.js [--name NAME] [--dir DIR]`.
 * Prints `ready <upstream path>` on stdout once it serves; stops on SIGINT, SIGTERM or `stop`.
 */
import { runServerMain } from "../serve/run-main.js";
import { serverType } from "./server-type.js";

process.exitCode = await runServerMain(serverType);
