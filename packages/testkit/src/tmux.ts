/**
 * Driving a real terminal program from tests: a private tmux server per test (its own `-L`
 * socket name, removed after the test), keys sent as a person types them (text, then Enter as
 * a separate send-keys), and the screen read with capture-pane, polled until it shows what the
 * test waits for or a timeout passes (never a fixed sleep).
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { TestContext } from "node:test";

/** A terminal (one tmux pane) running one command. */
export interface Terminal {
  /** The tmux socket name (`tmux -L NAME`). */
  socket: string;
  /** Runs a tmux command against this server; resolves with its stdout. */
  tmux(args: string[]): Promise<string>;
  /** The visible screen as text (`withEscapes`: with colour and attribute sequences). */
  screen(withEscapes?: boolean): Promise<string>;
  /** Waits until the screen matches; resolves with it. Rejects with the last screen on timeout. */
  waitFor(match: RegExp | ((screen: string) => boolean), ms?: number): Promise<string>;
  /** Sends tmux key names (`Down`, `Escape`, `C-t`), one send-keys each. */
  keys(...names: string[]): Promise<void>;
  /** Types `text` literally. */
  type(text: string): Promise<void>;
  /** A tmux format of the pane (`#{pane_dead_status}`, `#{alternate_on}`). */
  format(fmt: string): Promise<string>;
  /**
   * Waits until the pane's command has exited; resolves with its exit status, or -1 when tmux
   * does not know it.
   */
  exited(ms?: number): Promise<number>;
}

/** Options of {@link startTerminal}. */
export interface TerminalOptions {
  /** Extra environment of the command. */
  env?: Record<string, string>;
  columns?: number;
  rows?: number;
  /** A private directory for tmux's config file (the test's temporary directory). */
  dir: string;
}

function run(args: string[]): Promise<string> {
  const env = { ...process.env };
  delete env["TMUX"]; // a test run from inside tmux must not talk to the user's server
  return new Promise((resolve, reject) => {
    execFile("tmux", args, { env, timeout: 10_000 }, (err, stdout, stderr) => {
      if (err !== null)
        reject(new Error(`tmux ${args.join(" ")}: ${stderr.trim() || err.message}`));
      else resolve(stdout);
    });
  });
}

/**
 * Starts `command` (a shell command line) in a fresh tmux server with a `columns`×`rows` pane
 * [80×24]. The pane stays after the command exits (remain-on-exit), so its screen and exit
 * status can still be read; the server is killed after the test.
 */
export async function startTerminal(
  t: Pick<TestContext, "after">,
  command: string,
  options: TerminalOptions,
): Promise<Terminal> {
  const socket = `npt-${process.pid}-${randomBytes(4).toString("hex")}`;
  const conf = path.join(options.dir, "tmux.conf");
  // remain-on-exit from the config, so it holds even for a command that exits at once;
  // set-clipboard on, so a program's OSC 52 copy lands in a tmux buffer the test can read.
  await writeFile(conf, "set -g remain-on-exit on\nset -g status off\nset -s set-clipboard on\n");
  const tmux = (args: string[]): Promise<string> => run(["-L", socket, ...args]);
  const envArgs = Object.entries(options.env ?? {}).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
  await run([
    "-L",
    socket,
    "-f",
    conf,
    "new-session",
    "-d",
    "-x",
    String(options.columns ?? 80),
    "-y",
    String(options.rows ?? 24),
    ...envArgs,
    command,
  ]);
  const socketPath = (await tmux(["display-message", "-p", "#{socket_path}"])).trim();
  t.after(async () => {
    await tmux(["kill-server"]).catch(() => undefined);
    // tmux leaves its socket file behind after kill-server.
    if (socketPath !== "") await rm(socketPath, { force: true });
  });
  const screen = (withEscapes = false): Promise<string> =>
    tmux(["capture-pane", "-p", ...(withEscapes ? ["-e"] : [])]);
  const format = async (fmt: string): Promise<string> =>
    (await tmux(["display-message", "-p", fmt])).trim();
  const poll = async <T>(
    probe: () => Promise<T | undefined>,
    ms: number,
    what: () => Promise<string>,
  ): Promise<T> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms ${await what()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return {
    socket,
    tmux,
    screen,
    format,
    waitFor: (match, ms = 20_000) => {
      const test = typeof match === "function" ? match : (s: string) => match.test(s);
      return poll(
        async () => {
          const s = await screen();
          return test(s) ? s : undefined;
        },
        ms,
        async () => `waiting for ${String(match)}; the screen:\n${await screen()}`,
      );
    },
    keys: async (...names) => {
      for (const name of names) await tmux(["send-keys", name]);
    },
    type: async (text) => void (await tmux(["send-keys", "-l", text])),
    exited: (ms = 20_000) =>
      poll(
        async () => {
          const [dead, status] = (await format("#{pane_dead} #{pane_dead_status}")).split(" ");
          if (dead !== "1") return undefined;
          // tmux 3.3 can report a pane dead before (or without) its exit status: -1 then.
          return /^\d+$/.test(status ?? "") ? Number(status) : -1;
        },
        ms,
        async () => `waiting for the command to exit; the screen:\n${await screen()}`,
      ),
  };
}
