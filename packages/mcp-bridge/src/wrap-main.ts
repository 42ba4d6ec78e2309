#!/usr/bin/env node
/**
 * `node wrap-main.js [--name N] [--dir D] [--description TEXT] [--init-timeout S] -- cmd args...`:
 * the same as `cpipe --serve mcp`. Prints `ready <upstream path>` on stdout once it serves;
 * restarts the MCP server when it exits; stops on SIGINT, SIGTERM or `stop`.
 */
import { runServerMain } from "named-pipe-tools";
import { serverType } from "./serve-type.js";

process.exitCode = await runServerMain(serverType);
