/** Finding programs on PATH: executables only, in PATH's order, paths with a slash as given. */
import assert from "node:assert/strict";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { tempDir } from "named-pipe-tools-testkit";
import { findProgram } from "../../src/util/find-program.js";

test("findProgram finds executables on PATH in order, and nothing else", async (t) => {
  const dir = await tempDir(t);
  const [a, b] = [path.join(dir, "a"), path.join(dir, "b")];
  await Promise.all([mkdir(a), mkdir(b)]);
  await writeFile(path.join(a, "tool"), "#!/bin/sh\n");
  await chmod(path.join(a, "tool"), 0o644); // not executable: passed over
  await writeFile(path.join(b, "tool"), "#!/bin/sh\n");
  await chmod(path.join(b, "tool"), 0o755);
  await writeFile(path.join(a, "first"), "#!/bin/sh\n", { mode: 0o755 });
  await writeFile(path.join(b, "first"), "#!/bin/sh\n", { mode: 0o755 });
  const env = { PATH: ["", a, b].join(path.delimiter) };

  assert.equal(findProgram("tool", env), path.join(b, "tool"));
  assert.equal(findProgram("first", env), path.join(a, "first"), "the first on PATH wins");
  assert.equal(findProgram("absent", env), undefined);
  assert.equal(findProgram("tool", {}), undefined, "no PATH, nothing found");
  assert.equal(findProgram(path.join(b, "tool"), {}), path.join(b, "tool"), "a path as given");
  assert.equal(findProgram(path.join(a, "tool"), env), undefined, "a path that is not executable");
});
