#!/usr/bin/env node
/**
 * `node wrap-main.js [--name N] [--dir D] [--description TEXT] -- cmd args...`: the same as
 * `cpipe --serve mcp`. Prints `ready <upstream path>` on stdout once it serves; stops on
 * SIGINT, SIGTERM, `stop`, or when the MCP server exits.
 */
import { runServerMain } from "named-pipe-tools";
import { serverType } from "./serve-type.js";

process.exitCode = await runServerMain(serverType);
