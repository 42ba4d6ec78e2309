/**
 * The agent skill must stay true to the real CLI: every command in its ```sh blocks is run, in
 * order, against a live demo server, through a `cpipe` on PATH. A line may end with
 * `# -> TEXT` (stdout must contain TEXT) or `# exit N` (the exit code must be N; else 0).
 * A line ending in `&` is started in the background (a --serve or --watch), waited for, and
 * stopped with Ctrl-C at the end. Commands in ```text blocks name servers that are not running
 * here; they must at least be valid command lines (not exit 2).
 */
import assert from "node:assert/strict";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { TestContext } from "node:test";
import { test } from "node:test";
import type { Spawned } from "named-pipe-tools-testkit";
import { ROOT, spawnCaptured, startDemo, tempDir, waitForOutput } from "named-pipe-tools-testkit";
import { CPIPE } from "./run-cpipe.js";

interface SkillCommand {
  block: "sh" | "text";
  line: string;
  command: string;
  background: boolean;
  expectOut: string | undefined;
  expectCode: number;
}

function parseSkill(markdown: string): { front: string; commands: SkillCommand[] } {
  const front = /^---\n([\s\S]*?)\n---\n/.exec(markdown)?.[1] ?? "";
  const commands: SkillCommand[] = [];
  for (const block of markdown.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)) {
    const lang = block[1];
    if (lang !== "sh" && lang !== "text") continue;
    for (const raw of block[2]!.split("\n")) {
      const line = raw.trim();
      if (line === "" || line.startsWith("#")) continue;
      if (lang === "text" && !line.startsWith("cpipe ")) continue;
      const note = /^(.*?)\s+#\s*(?:->\s*(.*?)|exit\s+(\d+))\s*$/.exec(line);
      let command = note?.[1] ?? line;
      const background = command.endsWith("&");
      if (background) command = command.slice(0, -1).trim();
      commands.push({
        block: lang,
        line,
        command,
        background,
        expectOut: note?.[2],
        expectCode: note?.[3] === undefined ? 0 : Number(note[3]),
      });
    }
  }
  return { front, commands };
}

/** Runs a shell line with `cpipe` on PATH and the pipe directory in the environment. */
function shell(t: TestContext, line: string, env: NodeJS.ProcessEnv): Spawned {
  return spawnCaptured(t, "sh", ["-c", line], { env, stdin: "ignore" });
}

test("SKILL.md has the front matter of a Claude Code skill", async () => {
  const md = await readFile(path.join(ROOT, ".claude/skills/cpipe/SKILL.md"), "utf8");
  const { front, commands } = parseSkill(md);
  assert.match(front, /^name: cpipe$/m);
  assert.match(front, /^description: .{40,}$/m);
  assert.ok(commands.filter((c) => c.block === "sh").length >= 20, "it shows plenty of commands");
});

test("every command SKILL.md shows works against a live demo server", async (t) => {
  const md = await readFile(path.join(ROOT, ".claude/skills/cpipe/SKILL.md"), "utf8");
  const dir = await tempDir(t);
  const bin = path.join(dir, "bin");
  const pipes = path.join(dir, "pipes");
  await mkdir(bin);
  await writeFile(
    path.join(bin, "cpipe"),
    `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(CPIPE)} "$@"\n`,
  );
  await chmod(path.join(bin, "cpipe"), 0o755);
  const env = {
    ...process.env,
    PATH: `${bin}:${process.env["PATH"] ?? ""}`,
    PIPE_TOOLS_DIR: pipes,
  };
  await startDemo(t, pipes);

  const background: { cmd: SkillCommand; proc: Spawned }[] = [];
  for (const cmd of parseSkill(md).commands) {
    if (cmd.background) {
      const proc = shell(t, `exec ${cmd.command}`, env);
      if (cmd.command.includes("--serve"))
        await waitForOutput(proc, (out) => out.includes("ready "));
      else if (cmd.command.includes("--watch"))
        await waitForOutput(proc, (_o, err) => err.includes("watching"));
      else assert.fail(`no readiness signal known for background command: ${cmd.line}`);
      background.push({ cmd, proc });
      continue;
    }
    const proc = shell(t, cmd.command, env);
    const code = await proc.exited;
    const where = `${cmd.line}\nstdout: ${proc.stdout()}\nstderr: ${proc.stderr()}`;
    if (cmd.block === "text") {
      assert.notEqual(code, 2, `not a valid command line: ${where}`);
      continue;
    }
    assert.equal(code, cmd.expectCode, where);
    if (cmd.expectCode !== 0) assert.match(proc.stderr(), /^cpipe: .+\n$/, where);
    if (cmd.expectOut !== undefined) assert.ok(proc.stdout().includes(cmd.expectOut), where);
  }

  for (const { cmd, proc } of background) {
    if (cmd.command.includes("--watch")) {
      assert.match(proc.stdout(), /^shout: hello$/m, "the watcher saw the shout");
    }
    if (proc.child.exitCode === null) proc.child.kill("SIGINT");
    const code = await proc.exited;
    assert.equal(code, cmd.command.includes("--watch") ? 130 : 0, cmd.line);
  }
});
