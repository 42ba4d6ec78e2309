#!/usr/bin/env node
/**
 * `node bridge-main.js [--dir DIR] [NAME...]`: the same as `cpipe mcp`, for MCP host configs
 * and tests.
 */
import { runMcpBridge } from "./run-bridge.js";

const code = await runMcpBridge(process.argv.slice(2), {});
process.exit(code);
