/**
 * The packages as users get them: every publishable package packed with `npm pack`, installed
 * as the README says into an empty prefix, and used from `/` with a minimal environment that
 * cannot see this repository.
 */
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestContext } from "node:test";
import type { Spawned } from "named-pipe-tools-testkit";
import { ROOT, spawnCaptured, waitForOutput } from "named-pipe-tools-testkit";

/** The package folders that are published, and their package names. */
export const PUBLISHED: Readonly<Record<string, string>> = {
  core: "named-pipe-tools",
  "server-chat": "named-pipe-tools-chat",
  "server-tts": "named-pipe-tools-tts",
  "server-stt": "named-pipe-tools-stt",
  "mcp-bridge": "named-pipe-tools-mcp",
  dashboard: "named-pipe-tools-dashboard",
  models: "named-pipe-tools-models",
  nats: "named-pipe-tools-nats",
};

/** An installation of the packed packages. */
export interface Installed {
  /** Scratch directory holding everything below. */
  scratch: string;
  /** The tarballs, by package name. */
  tarballs: Record<string, string>;
  /** The global prefix `npm install -g` installs them in (`<prefix>/bin/cpipe`). */
  prefix: string;
  /**
   * A minimal environment: the npm shim, the prefix's bin, node, and the system's programs; no
   * NODE_PATH, and a fresh HOME and TMPDIR.
   */
  env: NodeJS.ProcessEnv;
  /** Seconds spent packing. */
  packSeconds: number;
}

/** Runs a command to completion; rejects with its output when its exit code is not `expect` [0]. */
export async function run(
  t: TestContext,
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; expect?: number } = {},
): Promise<Spawned> {
  const proc = spawnCaptured(t, command, args, { ...options, stdin: "ignore" });
  const code = await proc.exited;
  if (code !== (options.expect ?? 0)) {
    throw new Error(
      `${command} ${args.join(" ")} exited ${code}\n${proc.stdout()}\n${proc.stderr()}`,
    );
  }
  return proc;
}

/**
 * Packs every published package into a scratch directory, and makes an `npm` shim that installs
 * those tarballs where a command names our packages (`npm install -g named-pipe-tools ...`, as
 * the README writes it), into the scratch prefix for `-g`. Nothing is installed yet.
 */
export async function packForInstall(t: TestContext): Promise<Installed> {
  const scratch = await mkdtemp(path.join(tmpdir(), "npt-packaging-"));
  t.after(() => rm(scratch, { recursive: true, force: true }));
  const packs = path.join(scratch, "tarballs");
  const prefix = path.join(scratch, "prefix");
  const shim = path.join(scratch, "shim");
  const home = path.join(scratch, "home");
  await Promise.all([mkdir(packs), mkdir(shim), mkdir(home)]);
  const started = Date.now();
  for (const dir of Object.keys(PUBLISHED)) {
    await run(t, "npm", ["pack", "--silent", "--pack-destination", packs], {
      cwd: path.join(ROOT, "packages", dir),
    });
  }
  const tarballs: Record<string, string> = {};
  for (const file of await readdir(packs)) {
    const manifest = /^(.*)-\d+\.\d+\.\d+\.tgz$/.exec(file);
    if (manifest !== null) tarballs[manifest[1]!] = path.join(packs, file);
  }
  const realNpm = (await run(t, "sh", ["-c", "command -v npm"])).stdout().trim();
  const ourDependencies: Record<string, string[]> = {};
  for (const [dir, name] of Object.entries(PUBLISHED)) {
    const manifest = JSON.parse(
      await readFile(path.join(ROOT, "packages", dir, "package.json"), "utf8"),
    ) as { dependencies?: Record<string, string> };
    const ours = Object.keys(manifest.dependencies ?? {}).filter((d) => d in tarballs);
    if (ours.length > 0) ourDependencies[name] = ours;
  }
  await writeFile(
    path.join(shim, "npm"),
    `#!${process.execPath}
// Test shim: our package names become the packed tarballs; -g installs into the test prefix.
const tarballs = ${JSON.stringify(tarballs)};
const needs = ${JSON.stringify(ourDependencies)};
const named = process.argv.slice(2).filter((a) => a in tarballs);
// What a registry would fetch: our packages' own dependencies on our other packages.
const extra = [...new Set(named.flatMap((n) => needs[n] ?? []))].filter((n) => !named.includes(n));
const args = [...process.argv.slice(2), ...extra].map((a) => tarballs[a] ?? a);
if (args.includes("-g") || args.includes("--global")) args.push("--prefix", ${JSON.stringify(prefix)});
const run = require("node:child_process").spawnSync(${JSON.stringify(realNpm)}, args, { stdio: "inherit" });
process.exit(run.status ?? 1);
`,
  );
  await chmod(path.join(shim, "npm"), 0o755);
  const env: NodeJS.ProcessEnv = {
    PATH: [
      shim,
      path.join(prefix, "bin"),
      path.dirname(process.execPath),
      "/usr/local/bin",
      "/usr/bin",
      "/bin",
    ].join(":"),
    HOME: home,
    TMPDIR: scratch,
    // Reuse the npm cache this repository's install filled: no download for what it already has.
    npm_config_cache: path.join(process.env["HOME"] ?? home, ".npm"),
    npm_config_prefer_offline: "true",
    npm_config_audit: "false",
    npm_config_fund: "false",
    npm_config_update_notifier: "false",
  };
  return { scratch, tarballs, prefix, env, packSeconds: (Date.now() - started) / 1000 };
}

/** Starts a long-running command and waits for its `ready` line. */
export async function startReady(
  t: TestContext,
  command: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; cwd?: string },
): Promise<Spawned> {
  const proc = spawnCaptured(t, command, args, { ...options, stdin: "ignore" });
  await waitForOutput(proc, (out) => out.includes("ready "), 60_000);
  return proc;
}

/** The fenced code blocks of a Markdown file, with their language. */
export async function codeBlocks(file: string): Promise<{ lang: string; body: string }[]> {
  const md = await readFile(file, "utf8");
  return [...md.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({
    lang: m[1] ?? "",
    body: m[2] ?? "",
  }));
}
