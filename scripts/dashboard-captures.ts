/**
 * `npm run dashboard-captures`: regenerates the text captures of each dashboard tab in
 * packages/dashboard/README.md (between its `captures` markers) by running the real
 * `cpipe --tui` in an 80×24 tmux terminal against a demo server, exactly as the end-to-end
 * tests do. Needs tmux.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import type { TestContext } from "node:test";
import {
  CPIPE,
  ROOT,
  spawnNode,
  startTerminal,
  waitForOutput,
  DEMO_MAIN,
} from "named-pipe-tools-testkit";
import type { Terminal } from "named-pipe-tools-testkit";
import { shellWord } from "named-pipe-tools";
import { execFileSync } from "node:child_process";

const README = path.join(ROOT, "packages/dashboard/README.md");
const START = "<!-- captures:start (npm run dashboard-captures) -->";
const END = "<!-- captures:end -->";
/** The temporary pipe directory shows under this name. */
const SHOWN_DIR = "/tmp/pipes";

const cleanups: (() => unknown)[] = [];
/** What the test helpers need of a test: somewhere to register their cleanups. */
const ctx = { after: (fn: () => unknown) => void cleanups.push(fn) } as unknown as TestContext;

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), "npt-captures-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const demo = spawnNode(ctx, DEMO_MAIN, ["--dir", dir]);
  await waitForOutput(demo, (out) => out.includes("ready "));
  const term = await startTerminal(
    ctx,
    `${shellWord(process.execPath)} ${shellWord(CPIPE)} --tui`,
    {
      dir,
      env: { PIPE_TOOLS_DIR: dir, NO_COLOR: "1" },
    },
  );
  const clean = (screen: string): string =>
    screen
      // The directory under its shown name; inside a padded field, the padding kept.
      .replace(
        new RegExp(`${dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}( {2,})?`, "g"),
        (_m, pad?: string) =>
          pad === undefined
            ? SHOWN_DIR
            : SHOWN_DIR + " ".repeat(pad.length + dir.length - SHOWN_DIR.length),
      )
      .replaceAll(hostname(), "host")
      .replace(/pid \d+/g, "pid 4242")
      // Numbers that change from run to run, at their column widths (PING 8, PID 8, UP 7).
      .replace(
        /^(>demo {10}running {4}).{23}/m,
        `$1${"0.31ms".padEnd(8)}${"4242".padEnd(8)}${"2m05s".padEnd(7)}`,
      )
      .replace(/ping \S+ · pid 4242 · up \S+/, "ping 0.31ms · pid 4242 · up 2m05s")
      .replace(/\d\d:\d\d:\d\d (shout)/g, "12:00:00 $1")
      .replace(/done in \S+/g, "done in 3.10ms")
      .replace(/done \d\S*ms ·/g, "done 3.10ms ·")
      .trimEnd();
  const shots: [string, string][] = [];
  const shot = async (title: string, t: Terminal, wait: RegExp): Promise<void> => {
    shots.push([title, clean(await t.waitFor(wait))]);
  };
  await term.waitFor(/demo\s+running\s+\S+ms/);
  execFileSync(process.execPath, [
    CPIPE,
    "--dir",
    dir,
    "demo",
    "shout",
    '"hello from another cpipe"',
  ]);
  await shot(
    "Tools: the live table, the selected tool and its broadcasts",
    term,
    /shout \{"data":"hello from another cpipe"\}/,
  );
  await term.keys("Enter");
  await shot(
    "A tool's commands, with their arguments from the schemas",
    term,
    />echo \[demo\][\s\S]*⏎ call/,
  );
  await term.keys("Down", "Enter");
  await term.waitFor(/demo › count/);
  await term.type("5");
  await term.keys("Enter");
  await shot("Calling `count` with n=5: the stream as it arrived", term, /done in/);
  await term.keys("Escape");
  await term.waitFor(/\[commands\]/); // an Esc followed at once by an arrow reads as Alt+arrow
  await term.keys("Left");
  await shot(
    "The history: re-run with Enter, copy as a cpipe command line with y",
    term,
    />#1 count/,
  );
  await term.keys("Escape");
  await term.waitFor(/NAME\s+STATE/);
  await term.keys("2");
  await shot(
    "Launch: server types, and the servers launched from here",
    term,
    /Server types[\s\S]*⏎ launch…/,
  );
  await term.keys("Enter");
  await shot(
    "The launch form of a type, from its own option schema",
    term,
    /launch demo[\s\S]*⏎ launch ·/,
  );
  await term.keys("Escape");
  await term.waitFor(/Launched here/);
  await term.keys("3");
  await shot(
    "Info: machine, pipe directory, server types and their engines",
    term,
    /Server types[\s\S]*Packages[\s\S]*react/,
  );
  await term.keys("q");

  const block = shots
    .map(([title, screen]) => `### ${title}\n\n\`\`\`text\n${screen}\n\`\`\``)
    .join("\n\n");
  const readme = await readFile(README, "utf8");
  const at = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (at < 0 || end < at) throw new Error(`${README} has no ${START} ... ${END} block`);
  await writeFile(
    README,
    `${readme.slice(0, at + START.length)}\n\n${block}\n\n${readme.slice(end)}`,
  );
  process.stdout.write(
    `wrote ${shots.length} captures to ${path.relative(process.cwd(), README)}\n`,
  );
}

try {
  await main();
} finally {
  for (const fn of cleanups.reverse()) await fn();
}
