#!/usr/bin/env node
/**
 * Runs the chat server: `node dist/packages/server-chat/src/main.js [options]` (see --help).
 * Prints `ready <upstream path>` on stdout once it listens (the model may still be loading:
 * state `loading`); exits 1 with a one-line error when it cannot start.
 */
import { runServerMain } from "named-pipe-tools";
import { serverType } from "./server-type.js";

process.exitCode = await runServerMain(serverType);
