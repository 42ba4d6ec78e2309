/**
 * The packaging test: every package packed, the tarballs installed into an empty global prefix
 * that cannot see this repository, and every ready-made server, the MCP bridge both ways, a
 * third-party server type and the README's quick start used from there, from `/`.
 */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import type { TestContext } from "node:test";
import { test } from "node:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ROOT, needs, packageDir, parseCommands, runCommands } from "named-pipe-tools-testkit";
import { codeBlocks, packForInstall, run, startReady } from "./installed.js";

const MCP_FIXTURE = path.join(
  packageDir("named-pipe-tools-mcp"),
  "dist/test/fixtures/mcp-fixture.js",
);

/** Runs the ```sh blocks of a document in order, in a fresh directory and pipe directory. */
async function runDoc(
  t: TestContext,
  doc: string,
  env: NodeJS.ProcessEnv,
  scratch: string,
): Promise<void> {
  const work = await mkdtemp(path.join(scratch, "doc-"));
  const pipes = path.join(work, "pipes");
  await mkdir(pipes, { mode: 0o700 });
  const commands = parseCommands(await readFile(path.join(ROOT, doc), "utf8"));
  assert.ok(
    commands.some((c) => c.block === "sh"),
    `${doc} shows commands`,
  );
  await runCommands(t, commands, {
    env: { ...env, PIPE_TOOLS_DIR: pipes },
    cwd: work,
    textBlocks: "skip",
  });
}

test("the packed packages work as users install them", { timeout: 600_000 }, async (t) => {
  const inst = await packForInstall(t);
  const pipes = path.join(inst.scratch, "pipes");
  await mkdir(pipes, { mode: 0o700 });
  const env = { ...inst.env, PIPE_TOOLS_DIR: pipes };
  const cpipe = (args: string[]) => run(t, "cpipe", args, { env, cwd: "/" });

  // The README's commands as written, in order: its install block installs the tarballs.
  const started = Date.now();
  await t.test("the README's commands, the install first", (t) =>
    runDoc(t, "README.md", inst.env, inst.scratch),
  );
  t.diagnostic(
    `packed in ${inst.packSeconds.toFixed(1)} s; the README's commands took ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  const docs: [string, string | false][] = [
    ["packages/server-chat/README.md", false],
    ["packages/server-tts/README.md", needs("espeak-ng")],
    ["packages/server-stt/README.md", needs("espeak-ng", "pocketsphinx_continuous")],
  ];
  for (const [doc, skip] of docs) {
    await t.test(`${doc}: its commands as written`, { skip }, (t) =>
      runDoc(t, doc, inst.env, inst.scratch),
    );
  }

  await t.test("cpipe --version", async (t) => {
    const pkg = JSON.parse(
      await readFile(path.join(ROOT, "packages/core/package.json"), "utf8"),
    ) as {
      version: string;
    };
    assert.equal(
      (await run(t, "cpipe", ["--version"], { env, cwd: "/" })).stdout(),
      `cpipe ${pkg.version}\n`,
    );
  });

  await t.test("--serve demo, then ping", async (t) => {
    const server = await startReady(t, "cpipe", ["--serve", "demo"], { env, cwd: "/" });
    assert.equal((await cpipe(["demo", "ping"])).stdout(), "pong\n");
    await cpipe(["demo", "stop"]);
    assert.equal(await server.exited, 0);
  });

  await t.test("--serve tts --wav, then speak", { skip: needs("espeak-ng") }, async (t) => {
    const wav = path.join(inst.scratch, "hello.wav");
    const server = await startReady(t, "cpipe", ["--serve", "tts", "--wav", wav, "--no-play"], {
      env,
      cwd: "/",
    });
    await cpipe(["tts", "speak", "Hello world."]);
    await cpipe(["tts", "stop"]);
    assert.equal(await server.exited, 0);
    assert.ok((await stat(wav)).size > 22_050, "about a second of speech or more");
  });

  await t.test(
    "--serve stt, then transcribe a WAV",
    { skip: needs("espeak-ng", "pocketsphinx_continuous") },
    async (t) => {
      const wav = path.join(inst.scratch, "light.wav");
      await run(t, "espeak-ng", ["-w", wav, "turn on the light"], { env });
      const args = ["--serve", "stt", "--input", "none", "--keywords", "turn on the light,stop"];
      const server = await startReady(t, "cpipe", args, { env, cwd: "/" });
      const out = await cpipe(["stt", "transcribe", "-j", JSON.stringify({ path: wav })]);
      assert.match(out.stdout(), /turn on the light/);
      await cpipe(["stt", "stop"]);
      assert.equal(await server.exited, 0);
    },
  );

  await t.test("--serve chat with the generated test model", async (t) => {
    const model = path.join(inst.scratch, "tiny.gguf");
    assert.match(
      (await run(t, "cpipe-chat-test-model", [model], { env, cwd: "/" })).stdout(),
      /^wrote /,
    );
    const server = await startReady(t, "cpipe", ["--serve", "chat", "--model", model], {
      env,
      cwd: "/",
    });
    const request = { messages: [{ role: "user", content: "Hi" }], max_tokens: 4 };
    const reply = await cpipe(["chat", "chat_blocking", "-j", JSON.stringify(request), "--jsonl"]);
    const msg = JSON.parse(reply.stdout()) as {
      event: string;
      usage: { completion_tokens: number };
    };
    assert.equal(msg.event, "reply");
    assert.ok(msg.usage.completion_tokens > 0);
    await cpipe(["chat", "stop"]);
    assert.equal(await server.exited, 0);
  });

  await t.test("an MCP host runs the README's config from /, and calls a pipe tool", async (t) => {
    const configs = (await codeBlocks(path.join(ROOT, "README.md")))
      .filter((b) => b.lang === "json" && b.body.includes("mcpServers"))
      .map(
        (b) =>
          (
            JSON.parse(b.body) as {
              mcpServers: Record<string, { command: string; args: string[] }>;
            }
          ).mcpServers,
      );
    const local = configs.map((c) => Object.values(c)[0]!).find((s) => s.command === "cpipe");
    assert.ok(local !== undefined, "the README shows a config that runs the installed cpipe");
    const demo = await startReady(t, "cpipe", ["--serve", "demo"], { env, cwd: "/" });
    const client = new Client({ name: "packaging-test", version: "1" });
    await client.connect(
      new StdioClientTransport({
        command: local.command,
        args: local.args,
        env: env,
        cwd: "/",
        stderr: "pipe",
      }),
    );
    t.after(() => client.close());
    const tools = (await client.listTools()).tools.map((tool) => tool.name);
    assert.ok(tools.includes("demo__echo"), tools.join(", "));
    const result = await client.callTool({
      name: "demo__echo",
      arguments: { data: "through the bridge" },
    });
    assert.match(JSON.stringify(result.content), /through the bridge/);
    await client.close();
    await cpipe(["demo", "stop"]);
    assert.equal(await demo.exited, 0);
  });

  await t.test("--serve mcp wraps a stdio MCP server as a pipe tool", async (t) => {
    const args = [
      "--serve",
      "mcp",
      "--name",
      "fixture",
      "--",
      process.execPath,
      MCP_FIXTURE,
      "serve",
    ];
    const server = await startReady(t, "cpipe", args, { env, cwd: "/" });
    const reply = await cpipe(["fixture", "echo", "-j", '{"text":"wrapped"}', "--jsonl"]);
    assert.match(reply.stdout(), /wrapped/);
    await cpipe(["fixture", "stop"]);
    assert.equal(await server.exited, 0);
  });

  await t.test(
    "the README's quick start and the server-type example compile and run",
    async (t) => {
      const app = path.join(inst.scratch, "app");
      await mkdir(path.join(app, "greeter-tool"), { recursive: true });
      await writeFile(
        path.join(app, "package.json"),
        JSON.stringify({ name: "app", private: true, type: "module" }),
      );
      await writeFile(
        path.join(app, "tsconfig.json"),
        JSON.stringify({
          compilerOptions: {
            target: "ES2022",
            lib: ["ES2022", "ESNext.Disposable"],
            module: "NodeNext",
            moduleResolution: "NodeNext",
            strict: true,
            skipLibCheck: true,
            types: ["node"],
          },
        }),
      );
      const quickStart = (await codeBlocks(path.join(ROOT, "README.md"))).find(
        (b) => b.lang === "ts",
      );
      const serverTypeExample = (await codeBlocks(path.join(ROOT, "packages/core/README.md"))).find(
        (b) => b.lang === "ts" && b.body.includes("serverType"),
      );
      assert.ok(quickStart !== undefined && serverTypeExample !== undefined);
      await writeFile(path.join(app, "quickstart.ts"), quickStart.body);
      await writeFile(path.join(app, "greeter-tool", "index.ts"), serverTypeExample.body);
      await writeFile(
        path.join(app, "greeter-tool", "package.json"),
        JSON.stringify({
          name: "greeter-tool",
          version: "1.0.0",
          type: "module",
          exports: "./index.js",
        }),
      );
      await run(
        t,
        "npm",
        [
          "install",
          inst.tarballs["named-pipe-tools"]!,
          "zod@4",
          "typescript@5",
          "@types/node@20",
          "./greeter-tool",
        ],
        { env: inst.env, cwd: app },
      );
      await run(t, path.join(app, "node_modules/.bin/tsc"), ["-p", "."], {
        env: inst.env,
        cwd: app,
      });
      const quick = await run(t, process.execPath, ["quickstart.js"], { env, cwd: app });
      assert.equal(
        quick.stdout(),
        "{ event: 'greeting', id: 2, text: 'Hello, pipes!' }\n1\n2\n3\n",
      );

      // A third-party server type: by package name from the project that installs it, and by file.
      const byName = await startReady(
        t,
        "cpipe",
        ["--serve", "greeter-tool", "--greeting", "Hi", "--repeat", "2"],
        {
          env,
          cwd: app,
        },
      );
      const greeting = await cpipe(["greeter", "greet", "-j", '{"who":"you"}']);
      assert.equal(greeting.stdout(), "Hi, you! Hi, you!\n");
      await cpipe(["greeter", "stop"]);
      assert.equal(await byName.exited, 0);
      const file = path.join(app, "greeter-tool", "index.js");
      const byFile = await startReady(t, "cpipe", ["--serve", file, "--name", "g2"], {
        env,
        cwd: "/",
      });
      assert.equal(
        (await cpipe(["g2", "greet", "-j", '{"who":"file"}'])).stdout(),
        "Hello, file!\n",
      );
      await cpipe(["g2", "stop"]);
      assert.equal(await byFile.exited, 0);
      const bad = await run(t, "cpipe", ["--serve", file, "--repeat", "11"], {
        env,
        cwd: "/",
        expect: 2,
      });
      assert.match(
        bad.stderr(),
        /^cpipe: --serve .*index\.js: --repeat must be from 1 to 10, got '11'; see /,
      );
    },
  );

  await t.test("a server type that is not installed names the exact install command", async (t) => {
    const out = await run(t, "cpipe", ["--serve", "no-such-tool-package"], {
      env,
      cwd: "/",
      expect: 1,
    });
    assert.match(
      out.stderr(),
      new RegExp(`npm install -g --prefix ${inst.prefix} no-such-tool-package`),
    );
  });
});
