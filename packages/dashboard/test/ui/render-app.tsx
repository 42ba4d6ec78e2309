/**
 * Rendering the whole app with ink-testing-library against real models (a real demo server in
 * a fresh pipe directory), at 80×24, and waiting for frames by polling.
 */
import type { TestContext } from "node:test";
import { render } from "ink-testing-library";
import { CallLog } from "../../src/model/calls.js";
import { Launcher } from "../../src/model/launcher.js";
import { ToolsMonitor } from "../../src/model/tools-monitor.js";
import type { InfoSection } from "../../src/model/info.js";
import { App } from "../../src/ui/app.js";
import type { QuitChoice, Tab } from "../../src/ui/app.js";
import { makeTheme } from "../../src/ui/theme.js";

/** An app under test. */
export interface Rendered {
  frame: () => string;
  /** Waits until the last frame matches; resolves with it. */
  waitFor: (match: RegExp | ((frame: string) => boolean), ms?: number) => Promise<string>;
  /** Types keys (raw terminal input: `\r` Enter, `\x1b` Esc, `\x1b[B` Down). */
  press: (...keys: string[]) => Promise<void>;
  /** Types keys back to back, each its own input, with no chance to redraw in between. */
  burst: (...keys: string[]) => void;
  quits: QuitChoice[];
  copied: string[];
  monitor: ToolsMonitor;
  calls: CallLog;
}

/** Renders the app on `dir`; everything is closed after the test. */
export async function renderApp(
  t: TestContext,
  dir: string,
  options: {
    gatherInfo?: () => Promise<InfoSection[]>;
    initialTab?: Tab;
    env?: NodeJS.ProcessEnv;
  } = {},
): Promise<Rendered> {
  const monitor = new ToolsMonitor({ dir, scanIntervalMs: 500, pingIntervalMs: 500 });
  const calls = new CallLog();
  const launcher = new Launcher();
  const quits: QuitChoice[] = [];
  const copied: string[] = [];
  monitor.start();
  const app = render(
    <App
      models={{ monitor, calls, launcher }}
      theme={makeTheme(options.env ?? {})}
      gatherInfo={options.gatherInfo ?? (async () => [])}
      onQuit={(c) => quits.push(c)}
      writeClipboard={(text) => copied.push(text)}
      size={{ columns: 80, rows: 24 }}
      {...(options.initialTab === undefined ? {} : { initialTab: options.initialTab })}
    />,
  );
  t.after(async () => {
    app.unmount();
    await Promise.all([monitor.close(), launcher.close({ keep: false })]);
  });
  const frame = (): string => app.lastFrame() ?? "";
  const waitFor = async (
    match: RegExp | ((f: string) => boolean),
    ms = 10_000,
  ): Promise<string> => {
    const test = typeof match === "function" ? match : (f: string) => match.test(f);
    const deadline = Date.now() + ms;
    while (!test(frame())) {
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${String(match)}; frame:\n${frame()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return frame();
  };
  const press = async (...keys: string[]): Promise<void> => {
    for (const key of keys) {
      app.stdin.write(key);
      // Each key is handed to the views on a timer turn of its own; let it be taken.
      await new Promise((r) => setTimeout(r, 30));
    }
  };
  const burst = (...keys: string[]): void => {
    for (const key of keys) app.stdin.write(key);
  };
  return { frame, waitFor, press, burst, quits, copied, monitor, calls };
}

/** Terminal input for keys. */
export const KEY = {
  enter: "\r",
  esc: "\x1b",
  down: "\x1b[B",
  up: "\x1b[A",
  right: "\x1b[C",
  left: "\x1b[D",
  tab: "\t",
  ctrlT: "\x14",
  ctrlU: "\x15",
} as const;
