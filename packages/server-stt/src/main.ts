#!/usr/bin/env node
/**
 * Runs the stt server: `node dist/packages/server-stt/src/main.js [options]` (see --help).
 * Prints `ready <upstream path>` on stdout once it serves and its engine is loaded; exits 1 with
 * a one-line error when it cannot start.
 */
import { runServerMain } from "named-pipe-tools";
import { serverType } from "./index.js";

process.exitCode = await runServerMain(serverType);
