/**
 * `runDashboard`: what `cpipe --tui` calls. It takes the terminal, renders the app with Ink,
 * and on any way out (quit, a crash in the UI, an uncaught error, SIGTERM/SIGHUP) closes the
 * connections, stops or keeps the launched servers, and gives the terminal back.
 */
import { render } from "ink";
import type { ReactNode } from "react";
import { Component } from "react";
import { PipeToolError, defaultPipeDir } from "named-pipe-tools";
import { CallLog } from "./model/calls.js";
import { gatherInfo } from "./model/info.js";
import { Launcher } from "./model/launcher.js";
import { ToolsMonitor } from "./model/tools-monitor.js";
import type { QuitChoice } from "./ui/app.js";
import { App } from "./ui/app.js";
import type { Models } from "./ui/models.js";
import { makeTheme } from "./ui/theme.js";
import { clipboardSequence, takeTerminal } from "./terminal.js";

/** Options of {@link runDashboard}. */
export interface DashboardOptions {
  /** Pipe directory [$PIPE_TOOLS_DIR, else /tmp]. */
  dir?: string;
  /** Terminal input [process.stdin]. */
  stdin?: NodeJS.ReadStream;
  /** Terminal output [process.stdout]. */
  stdout?: NodeJS.WriteStream;
}

/** Catches an error thrown while rendering, so it ends the app instead of leaving it half drawn. */
class Boundary extends Component<
  { children: ReactNode; onError(err: Error): void },
  { failed: boolean }
> {
  override state = { failed: false };
  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }
  override componentDidCatch(err: Error): void {
    this.props.onError(err);
  }
  override render(): ReactNode {
    return this.state.failed ? null : this.props.children;
  }
}

/**
 * Renders `element` full-screen until `done` settles or the UI fails, then restores the
 * terminal. Resolves with the exit code: `done`'s value, 1 after a crash (reported on stderr),
 * 128+n after a signal.
 */
export async function runFullScreen(
  element: (finish: (code: number) => void) => ReactNode,
  io: { stdin: NodeJS.ReadStream; stdout: NodeJS.WriteStream; cleanup?: () => Promise<void> },
): Promise<number> {
  const { stdin, stdout } = io;
  if (!stdin.isTTY || !stdout.isTTY) {
    process.stderr.write("cpipe: --tui: the dashboard needs a terminal (stdin and stdout)\n");
    return 1;
  }
  const guard = takeTerminal(stdin, stdout);
  let settle!: (outcome: { code: number; error?: Error }) => void;
  const outcome = new Promise<{ code: number; error?: Error }>((resolve) => (settle = resolve));
  const onCrash = (err: unknown): void =>
    settle({ code: 1, error: err instanceof Error ? err : new Error(String(err)) });
  const onSignal = (signal: NodeJS.Signals): void =>
    settle({ code: signal === "SIGHUP" ? 129 : 143 });
  process.on("uncaughtException", onCrash);
  process.on("unhandledRejection", onCrash);
  process.on("SIGTERM", onSignal);
  process.on("SIGHUP", onSignal);
  const instance = render(
    <Boundary onError={onCrash}>{element((code) => settle({ code }))}</Boundary>,
    {
      stdin,
      stdout,
      exitOnCtrlC: false,
      patchConsole: true,
      maxFps: 30,
    },
  );
  const result = await outcome;
  try {
    instance.unmount();
    instance.cleanup();
  } catch {
    // A UI that crashed may fail to unmount; the terminal is restored below all the same.
  }
  guard.restore();
  process.off("uncaughtException", onCrash);
  process.off("unhandledRejection", onCrash);
  process.off("SIGTERM", onSignal);
  process.off("SIGHUP", onSignal);
  if (result.error !== undefined) {
    process.stderr.write(
      `cpipe: the dashboard crashed: ${result.error.stack ?? result.error.message}\n`,
    );
  }
  await io.cleanup?.().catch(() => undefined);
  return result.code;
}

/**
 * Opens the dashboard on the terminal and resolves with cpipe's exit code once it is closed.
 * @throws PipeToolError `EINVAL` for bad options
 */
export async function runDashboard(options: DashboardOptions = {}): Promise<number> {
  if (typeof options !== "object" || options === null)
    throw new PipeToolError("EINVAL", "runDashboard options must be an object");
  const dir = options.dir ?? defaultPipeDir();
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  const monitor = new ToolsMonitor({ dir });
  const models: Models = { monitor, calls: new CallLog(), launcher: new Launcher() };
  let choice: QuitChoice = { keep: true };
  monitor.start();
  return runFullScreen(
    (finish) => (
      <App
        models={models}
        theme={makeTheme()}
        gatherInfo={() => gatherInfo(dir)}
        writeClipboard={(text) => void stdout.write(clipboardSequence(text))}
        onQuit={(c) => {
          choice = c;
          finish(0);
        }}
      />
    ),
    {
      stdin,
      stdout,
      // Launched servers are kept on any exit but a chosen "stop": a crash never takes them down.
      cleanup: async () => {
        await Promise.all([monitor.close(), models.launcher.close(choice)]);
        const kept = models.launcher.running();
        if (choice.keep && kept.length > 0) {
          process.stderr.write(
            `cpipe: left running: ${kept.map((p) => `${p.name} (pid ${p.pid ?? "?"}, log ${p.logPath})`).join(", ")}\n`,
          );
        }
      },
    },
  );
}
