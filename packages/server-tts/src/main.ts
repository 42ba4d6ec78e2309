#!/usr/bin/env node
/**
 * Runs the tts server: `node dist/packages/server-tts/src/main.js [options]` (see USAGE).
 * Prints `ready <upstream path>` on stdout once it serves with the engine loaded; exits 1 with a
 * one-line error when it cannot start.
 */
import { runServerMain } from "named-pipe-tools";
import { serverType } from "./options.js";

process.exitCode = await runServerMain(serverType);
