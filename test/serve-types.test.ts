/**
 * Every ready-made server type follows one contract: the same `--help` shape, and a bad option
 * exits 2 with one line of the same shape.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { CPIPE, spawnNode, tempDir } from "named-pipe-tools-testkit";

const TYPES = ["demo", "chat", "tts", "stt", "mcp"];

for (const type of TYPES) {
  test(`cpipe --serve ${type}: --bogus exits 2 with one line; --help lists the common options`, async (t) => {
    const dir = await tempDir(t);
    const env = { PIPE_TOOLS_DIR: dir };
    const bad = spawnNode(t, CPIPE, ["--serve", type, "--bogus"], env);
    assert.equal(await bad.exited, 2, bad.stderr());
    assert.equal(
      bad.stderr(),
      `cpipe: --serve ${type}: unknown option '--bogus'; see 'cpipe --serve ${type} --help'\n`,
    );
    const help = spawnNode(t, CPIPE, ["--serve", type, "--help"], env);
    assert.equal(await help.exited, 0, help.stderr());
    assert.match(help.stdout(), new RegExp(`^${type}: `));
    assert.match(help.stdout(), new RegExp(`^Usage: cpipe --serve ${type} \\[OPTIONS\\]`, "m"));
    for (const common of ["--name NAME", "--dir DIR", "--config FILE"]) {
      assert.ok(help.stdout().includes(common), `${type} --help shows ${common}`);
    }
  });
}
