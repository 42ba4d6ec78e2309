/**
 * The agent skill stays true to the real CLI: every command in its ```sh blocks runs as written
 * and in order (see testkit's doc-commands.ts), through a `cpipe` on PATH, against a live demo server.
 * Commands in its ```text blocks name servers that are not running here; they must at least be
 * valid command lines (not exit 2). readme.test.ts does the same for the README's cpipe section.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { ROOT, startDemo, tempDir } from "named-pipe-tools-testkit";
import { docShell, parseCommands, runCommands } from "named-pipe-tools-testkit";

const SKILL = path.join(ROOT, ".claude/skills/cpipe/SKILL.md");

test("SKILL.md has the front matter of a Claude Code skill", async () => {
  const md = await readFile(SKILL, "utf8");
  const front = /^---\n([\s\S]*?)\n---\n/.exec(md)?.[1] ?? "";
  assert.match(front, /^name: cpipe$/m);
  assert.match(front, /^description: .{40,}$/m);
  const commands = parseCommands(md);
  assert.ok(commands.filter((c) => c.block === "sh").length >= 20, "it shows plenty of commands");
});

test("every command SKILL.md shows runs as written, in order, against a live demo server", async (t) => {
  const dir = await tempDir(t);
  const shell = await docShell(dir);
  await startDemo(t, shell.pipes);
  await runCommands(t, parseCommands(await readFile(SKILL, "utf8")), shell);
});
