/**
 * Targets on other machines (`nats://...`, `tls://...`) need the package named-pipe-tools-nats,
 * loaded by name at run time. Without it, `ToolClient.connect` says exactly how to install it.
 * No NATS server is involved: the core is installed alone into a fresh project, as a user would
 * have it, and asked for a remote tool from there.
 */
import assert from "node:assert/strict";
import { cp, mkdir, symlink, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { spawnCaptured, tempDir } from "named-pipe-tools-testkit";
import { ToolClient, shellWord } from "../../src/index.js";

/** packages/core (this file is packages/core/dist/test/client/remote.test.js). */
const CORE = fileURLToPath(new URL("../../../", import.meta.url));

/** A probe that connects to a remote tool and prints what it got. */
const PROBE = `import { ToolClient } from "named-pipe-tools";
for (const target of ["nats://127.0.0.1:4222/demo", "TLS://example.com/chat"]) {
  try {
    await ToolClient.connect(target, { timeoutMs: 1000 });
    console.log(JSON.stringify({ target, connected: true }));
  } catch (err) {
    console.log(JSON.stringify({ target, code: err.code, message: err.message }));
  }
}
`;

test("a nats:// target without named-pipe-tools-nats installed: ENOTINSTALLED with the install command", async (t) => {
  const globalModules = path.join(path.dirname(path.dirname(process.execPath)), "lib/node_modules");
  if (existsSync(path.join(globalModules, "named-pipe-tools-nats"))) {
    t.skip(
      `named-pipe-tools-nats is installed globally (${globalModules}), so it is never missing`,
    );
    return;
  }
  // A project with only the core (and its one dependency) in node_modules.
  const project = await tempDir(t, "npt-core-only-");
  const core = path.join(project, "node_modules", "named-pipe-tools");
  await mkdir(path.join(core, "dist"), { recursive: true });
  await cp(path.join(CORE, "package.json"), path.join(core, "package.json"));
  await cp(path.join(CORE, "dist", "src"), path.join(core, "dist", "src"), {
    recursive: true,
    filter: (src) => !src.endsWith(".d.ts"),
  });
  const zod = path.dirname(createRequire(import.meta.url).resolve("zod/package.json"));
  await symlink(zod, path.join(project, "node_modules", "zod"), "dir");
  await writeFile(path.join(project, "probe.mjs"), PROBE);

  const env = { ...process.env };
  delete env["NODE_PATH"];
  const probe = spawnCaptured(t, process.execPath, ["probe.mjs"], {
    cwd: project,
    env,
    stdin: "ignore",
  });
  assert.equal(await probe.exited, 0, probe.stderr());
  const results = probe
    .stdout()
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as { target: string; code?: string; message?: string });
  assert.equal(results.length, 2);
  for (const result of results) {
    assert.equal(result.code, "ENOTINSTALLED", JSON.stringify(result));
    assert.equal(
      result.message,
      `named-pipe-tools-nats (pipe tools over NATS) is not installed; install it with: npm install --prefix ${shellWord(project)} named-pipe-tools-nats`,
    );
  }
});

test("connect options are checked before anything is loaded; compat: reference is for local servers", async () => {
  await assert.rejects(
    ToolClient.connect("nats://127.0.0.1:4222/demo", { timeoutMs: -1 }),
    /timeoutMs must be a positive number/,
  );
  await assert.rejects(
    ToolClient.connect("nats://127.0.0.1:4222/demo", { compat: "reference" }),
    /compat: "reference" is for a local server/,
  );
});
