/**
 * The CLI reference stays true to the real CLI: every command in its ```sh blocks runs as
 * written and in order (see testkit's doc-commands.ts), through a `cpipe` on PATH; it starts
 * its own server. (The README's commands, which install packages, run in the packaging test.)
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { ROOT, docShell, parseCommands, runCommands, tempDir } from "named-pipe-tools-testkit";

test("every command in CLI.md's sh blocks runs as written, in order", async (t) => {
  const markdown = await readFile(path.join(ROOT, "packages/core/CLI.md"), "utf8");
  const commands = parseCommands(markdown).filter((c) => c.block === "sh");
  assert.ok(commands.length >= 5, "CLI.md shows commands");
  const dir = await tempDir(t);
  await runCommands(t, commands, await docShell(dir));
});
