/**
 * The installed `cpipe` is one bundled file of the CLI's start-up path (built by `npm run
 * build`); the other commands load beside it. It must behave as the modules it is made of.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { packageDir, startDemo, tempDir } from "named-pipe-tools-testkit";

const run = promisify(execFile);
const core = packageDir("named-pipe-tools");
const pkg = JSON.parse(readFileSync(path.join(core, "package.json"), "utf8")) as {
  bin: Record<string, string>;
};
const BIN = path.join(core, pkg.bin["cpipe"]!);

test(
  "the bundled cpipe sends, streams, describes and loads the commands it leaves out",
  { skip: !existsSync(BIN) && `${BIN} is not built: run npm run build` },
  async (t) => {
    assert.match(pkg.bin["cpipe"]!, /cpipe\.js$/);
    // A call needs no server, schema or zod: a stray dynamic import once pulled them all in.
    const bundle = readFileSync(BIN, "utf8");
    assert.doesNotMatch(bundle, /node_modules\/zod\//, "zod is not in the bundle");
    assert.doesNotMatch(bundle, /class ToolServer\b/, "the server is not in the bundle");
    const dir = await tempDir(t);
    await startDemo(t, dir);
    const cpipe = (args: string[]) => run(process.execPath, [BIN, "--dir", dir, ...args]);
    assert.equal((await cpipe(["demo", "ping"])).stdout, "pong\n");
    assert.equal((await cpipe(["demo", "count", "-j", '{"n":3}'])).stdout, "123\n");
    assert.match((await cpipe(["demo"])).stdout, /count/);
    assert.match((await cpipe(["--list", dir])).stdout, /demo +running/);
    assert.match((await run(process.execPath, [BIN, "--version"])).stdout, /^cpipe \d/);
    await assert.rejects(cpipe(["ghost", "ping"]), (err: { code?: number; stderr?: string }) => {
      assert.equal(err.code, 1);
      assert.match(err.stderr ?? "", /no server for 'ghost'/);
      return true;
    });
  },
);
