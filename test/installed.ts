/**
 * The packages as users get them: every publishable package packed with `npm pack` and the
 * tarballs installed globally into an empty prefix, used from `/` with a minimal environment
 * that cannot see this repository.
 */
import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
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
};

/** An installation of the packed packages. */
export interface Installed {
  /** Scratch directory holding everything below. */
  scratch: string;
  /** The tarballs, by package name. */
  tarballs: Record<string, string>;
  /** The global prefix they are installed in (`<prefix>/bin/cpipe`). */
  prefix: string;
  /** A minimal environment: the prefix's bin, node, and the system's programs; no NODE_PATH. */
  env: NodeJS.ProcessEnv;
  /** Seconds spent packing and installing. */
  seconds: { pack: number; install: number };
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

/** Packs every published package and installs the tarballs into a fresh prefix. */
export async function installPacked(t: TestContext): Promise<Installed> {
  const scratch = await mkdtemp(path.join(tmpdir(), "npt-packaging-"));
  t.after(() => rm(scratch, { recursive: true, force: true }));
  const packs = path.join(scratch, "tarballs");
  const prefix = path.join(scratch, "prefix");
  const home = path.join(scratch, "home");
  await mkdir(packs);
  await mkdir(home);
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
  const packed = Date.now();
  const env: NodeJS.ProcessEnv = {
    PATH: [
      path.join(prefix, "bin"),
      path.dirname(process.execPath),
      "/usr/local/bin",
      "/usr/bin",
      "/bin",
    ].join(":"),
    HOME: home,
    // Reuse the npm cache this repository's install filled: no download for what it already has.
    npm_config_cache: path.join(process.env["HOME"] ?? home, ".npm"),
    npm_config_prefer_offline: "true",
    npm_config_audit: "false",
    npm_config_fund: "false",
    npm_config_update_notifier: "false",
  };
  await run(t, "npm", ["install", "-g", "--prefix", prefix, ...Object.values(tarballs)], {
    env,
    cwd: "/",
  });
  return {
    scratch,
    tarballs,
    prefix,
    env,
    seconds: { pack: (packed - started) / 1000, install: (Date.now() - packed) / 1000 },
  };
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
