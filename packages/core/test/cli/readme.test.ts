/**
 * The README's cpipe section stays true to the real CLI: every command in its ```sh blocks runs
 * as written and in order (see doc-commands.ts), through a `cpipe` on PATH. The section starts
 * its own server.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { ROOT, tempDir } from "named-pipe-tools-testkit";
import { docShell, parseCommands, runCommands } from "./doc-commands.js";

test("every command in the README's cpipe section runs as written, in order", async (t) => {
  const readme = await readFile(path.join(ROOT, "README.md"), "utf8");
  const section = /<!-- section:cpipe -->([\s\S]*?)<!-- \/section:cpipe -->/.exec(readme)?.[1];
  assert.ok(section !== undefined, "the README marks its cpipe section");
  const commands = parseCommands(section).filter((c) => c.block === "sh");
  assert.ok(commands.length >= 5, "the section shows commands");
  const dir = await tempDir(t);
  await runCommands(t, commands, await docShell(dir));
});
