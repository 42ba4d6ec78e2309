/**
 * Running the real `cpipe --tui` in tmux for end-to-end tests: each test gets its own pipe
 * directory and its own tmux server; servers the test starts are stopped after it, and so is
 * anything still serving in its directory (a server launched from the dashboard).
 */
import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import type { TestContext } from "node:test";
import { ToolClient, scanPipes, shellWord } from "named-pipe-tools";
import type { Terminal } from "named-pipe-tools-testkit";
import { CPIPE, startTerminal, tempDir } from "named-pipe-tools-testkit";

/** A dashboard under test. */
export interface Dashboard {
  term: Terminal;
  dir: string;
  /** The terminal's settings (`stty -a`) once cpipe has exited. */
  ttyAfter: () => Promise<string>;
}

/**
 * Opens `cpipe --tui` (or `args`) on an 80×24 terminal with `PIPE_TOOLS_DIR=dir` and `CI=true`. Once cpipe
 * exits, the shell around it saves the terminal's settings, prints `exit=N` and waits for Enter
 * (a dead pane no longer reports its cursor or screen as they were), then exits with N.
 */
export async function openDashboard(
  t: TestContext,
  dir: string,
  options: {
    args?: string[];
    env?: Record<string, string>;
    waitFor?: RegExp;
    /** A script to run with node instead of cpipe (`args` go to it). */
    script?: string;
    columns?: number;
    rows?: number;
  } = {},
): Promise<Dashboard> {
  const confDir = await tempDir(t, "npt-tmux-");
  const args = (options.args ?? (options.script === undefined ? ["--tui"] : []))
    .map(shellWord)
    .join(" ");
  const ttyFile = path.join(confDir, "stty.txt");
  const program = shellWord(options.script ?? CPIPE);
  const command = `${shellWord(process.execPath)} ${program} ${args}; s=$?; stty -a > ${shellWord(ttyFile)}; echo "exit=$s"; read _; echo "bye=$s"; exit $s`;
  const term = await startTerminal(t, command, {
    dir: confDir,
    // CI=true as CI runners set it: Ink would then draw nothing until exit, and the dashboard
    // must draw anyway.
    env: { PIPE_TOOLS_DIR: dir, CI: "true", ...options.env },
    ...(options.columns === undefined ? {} : { columns: options.columns }),
    ...(options.rows === undefined ? {} : { rows: options.rows }),
  });
  t.after(() => stopAllIn(dir));
  await term.waitFor(options.waitFor ?? /cpipe dashboard/);
  return { term, dir, ttyAfter: () => readFile(ttyFile, "utf8") };
}

/** Asks every live tool in `dir` to stop (what a test launched through the dashboard). */
export async function stopAllIn(dir: string): Promise<void> {
  const pipes = await scanPipes(dir).catch(() => []);
  await Promise.all(
    pipes
      .filter((p) => p.role === "upstream" && p.status === "live")
      .map(async (p) => {
        const client = await ToolClient.connect(p.path, { timeoutMs: 2000 }).catch(() => undefined);
        await client?.call("stop", undefined, { timeoutMs: 2000 }).catch(() => undefined);
        await client?.close();
      }),
  );
}

/**
 * Waits for cpipe to exit; resolves with its status once the terminal has been inspected by
 * `inspect` (while the pane is still alive) and the pane has exited with the same status.
 */
export async function cpipeExit(
  dash: Dashboard,
  inspect: () => Promise<void> = async () => undefined,
): Promise<number> {
  const screen = await dash.term.waitFor(/^exit=\d+$/m);
  const code = Number(/^exit=(\d+)$/m.exec(screen)?.[1]);
  await inspect();
  // The wrapper's `read` ends the pane on Enter. On a loaded machine a key can go missing, and
  // tmux 3.3 can mark the pane dead without its status, so the wrapper also prints its status
  // after `read`: whichever shows first counts, and Enter is sent again if neither does.
  let status: number | undefined;
  for (let attempt = 1; status === undefined; attempt++) {
    await dash.term.keys("Enter");
    status = await Promise.race([
      dash.term
        .waitFor(/^bye=\d+$/m, 5000)
        .then((screen) => Number(/^bye=(\d+)$/m.exec(screen)?.[1])),
      dash.term.exited(5000).then((s) => (s === -1 ? code : s)),
    ]).catch((err: unknown) => {
      if (attempt >= 4) throw err;
      return undefined;
    });
  }
  if (status !== code) throw new Error(`the pane exited with ${status}, cpipe with ${code}`);
  return code;
}

/** Whether `stty -a` output shows the terminal as it was: line editing and echo back on. */
export function restoredTty(stty: string): boolean {
  const words = new Set(stty.split(/[\s;]+/));
  return words.has("icanon") && words.has("echo") && !words.has("-icanon") && !words.has("-echo");
}

/** The pid of the program the terminal's shell runs (cpipe): the pane's only child process. */
export async function programPid(term: Terminal): Promise<number> {
  const shell = Number(await term.format("#{pane_pid}"));
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
    // The parent's pid is the second field after the command name, which is in parentheses.
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (ppid === shell) return Number(entry);
  }
  throw new Error(`no child of the terminal's shell (pid ${shell})`);
}

/** The colours an SGR sequence in `screen` sets (30-38, 40-48, 90-97, 100-107), as written. */
export function colourCodes(screen: string): string[] {
  const found: string[] = [];
  // eslint-disable-next-line no-control-regex -- the escape character is what is looked for
  for (const [, params] of screen.matchAll(/\x1b\[([0-9;]*)m/g)) {
    const codes = (params ?? "").split(";").map(Number);
    for (let i = 0; i < codes.length; i++) {
      const c = codes[i]!;
      if (c === 38 || c === 48) {
        found.push(codes.slice(i, i + (codes[i + 1] === 2 ? 5 : 3)).join(";"));
        break;
      }
      if (
        (c >= 30 && c <= 37) ||
        (c >= 40 && c <= 47) ||
        (c >= 90 && c <= 97) ||
        (c >= 100 && c <= 107)
      )
        found.push(String(c));
    }
  }
  return found;
}
