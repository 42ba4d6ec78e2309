/**
 * The dashboard's frame: the tab bar, the active tab, a status line (messages and yes/no
 * questions) and the help bar with the keys of what has focus. Global keys: 1/2/3 switch tabs,
 * q quits (asking first what to do with servers launched from here), Ctrl-C quits too (twice:
 * at once, leaving launched servers running).
 */
import { Box, Text } from "ink";
import type { ReactNode } from "react";
import { useCallback, useMemo, useRef, useState } from "react";
import type { InfoSection } from "../model/info.js";
import { useStore } from "./hooks.js";
import type { Size } from "./hooks.js";
import { useTerminalSize } from "./hooks.js";
import { InfoTab } from "./info-tab.js";
import { KeyRouter, Level, useKeys } from "./keys.js";
import { LaunchTab } from "./launch-tab.js";
import type { Models } from "./models.js";
import { ModelsProvider } from "./models.js";
import type { Hint, Shell } from "./shell.js";
import { ShellProvider } from "./shell.js";
import type { Theme } from "./theme.js";
import { ThemeProvider, useTheme } from "./theme.js";
import { ToolsTab } from "./tools-tab.js";

/** The tabs, in order (their number is their key). */
export const TABS = ["tools", "launch", "info"] as const;
/** One tab. */
export type Tab = (typeof TABS)[number];

const GLOBAL_HINTS: readonly Hint[] = [
  ["1-3", "tabs"],
  ["q", "quit"],
];

/** How the dashboard ends: `keep` leaves launched servers running. */
export interface QuitChoice {
  keep: boolean;
}

/** Props of {@link App}. */
export interface AppProps {
  models: Models;
  theme: Theme;
  gatherInfo: () => Promise<InfoSection[]>;
  /** Called once when the user quits. */
  onQuit: (choice: QuitChoice) => void;
  /** Writes a clipboard escape sequence to the terminal. */
  writeClipboard: (text: string) => void;
  /** A fixed size (tests); else the terminal's. */
  size?: Size;
  /** The tab to open on [tools]. */
  initialTab?: Tab;
}

interface Question {
  text: string;
  /** Key -> action; Esc (or any other key) dismisses. */
  answers: Record<string, () => void>;
}

/** The whole dashboard. */
export function App(props: AppProps): ReactNode {
  return (
    <ThemeProvider value={props.theme}>
      <ModelsProvider value={props.models}>
        <KeyRouter>
          <Frame {...props} />
        </KeyRouter>
      </ModelsProvider>
    </ThemeProvider>
  );
}

function Frame({
  models,
  gatherInfo,
  onQuit,
  writeClipboard,
  size,
  initialTab,
}: AppProps): ReactNode {
  const theme = useTheme();
  const { columns, rows } = useTerminalSize(size);
  const [tab, setTab] = useState<Tab>(initialTab ?? "tools");
  const [hints, setHintsState] = useState<Record<string, readonly Hint[]>>({});
  const [message, setMessage] = useState<{ text: string; kind: "info" | "error" } | undefined>(
    undefined,
  );
  const [question, setQuestion] = useState<Question | undefined>(undefined);
  const quitting = useRef(false);
  const monitorState = useStore(models.monitor);

  const quit = useCallback(
    (keep: boolean) => {
      if (quitting.current) return;
      quitting.current = true;
      onQuit({ keep });
    },
    [onQuit],
  );

  const shell: Shell = useMemo(
    () => ({
      setHints: (owner, h) =>
        setHintsState((all) => {
          const next = { ...all };
          if (h === undefined) delete next[owner];
          else next[owner] = h;
          return next;
        }),
      notify: (text, kind = "info") => setMessage({ text, kind }),
      confirm: (text, onYes) => setQuestion({ text: `${text} y/N`, answers: { y: onYes } }),
      copy: (text, what) => {
        writeClipboard(text);
        setMessage({ text: `copied ${what}: ${text}`, kind: "info" });
      },
    }),
    [writeClipboard],
  );

  const askQuit = (): void => {
    const running = models.launcher.running();
    if (running.length === 0) return quit(false);
    const n = running.length;
    setQuestion({
      text: `${n} server${n === 1 ? "" : "s"} launched here ${n === 1 ? "is" : "are"} running: s stops ${n === 1 ? "it" : "them"} and quits, k keeps ${n === 1 ? "it" : "them"} running and quits, Esc stays`,
      answers: { s: () => quit(false), k: () => quit(true) },
    });
  };

  useKeys(
    Level.Dialog,
    (input, key) => {
      if (question === undefined) return false;
      setQuestion(undefined);
      const answer = question.answers[input.toLowerCase()];
      if (answer !== undefined) answer();
      else if (key.ctrl && input === "c") quit(true);
      return true;
    },
    question !== undefined,
  );

  useKeys(Level.App, (input, key) => {
    if (key.ctrl && input === "c") return (askQuit(), true);
    if (input === "q") return (askQuit(), true);
    const n = Number(input);
    if (Number.isInteger(n) && n >= 1 && n <= TABS.length) {
      setTab(TABS[n - 1]!);
      setMessage(undefined);
      return true;
    }
    if (key.escape && message !== undefined) return (setMessage(undefined), true);
    return false;
  });

  // The owner registered last is the innermost view; its keys come first in the bar.
  // In a form, digits and q are text: the global keys are not shown there.
  const inForm = Object.keys(hints).some((owner) => owner.startsWith("form:"));
  const shown = [...Object.values(hints).reverse().flat(), ...(inForm ? [] : GLOBAL_HINTS)];
  const bodyHeight = Math.max(4, rows - 3);
  const toolsCount = monitorState.tools.length;
  return (
    <ShellProvider value={shell}>
      <Box flexDirection="column" width={columns} height={rows}>
        <Box>
          <Text bold color={theme.accent}>
            cpipe dashboard{" "}
          </Text>
          {TABS.map((t, i) => (
            <Text key={t} bold={t === tab} inverse={t === tab}>
              {t === tab ? `[${i + 1} ${t}]` : ` ${i + 1} ${t} `}
            </Text>
          ))}
          <Text wrap="truncate-start" color={theme.muted}>
            {"  "}
            {monitorState.dir} · {toolsCount} tool{toolsCount === 1 ? "" : "s"}
          </Text>
        </Box>
        <Box height={bodyHeight} flexDirection="column" overflow="hidden">
          {/* Every tab stays mounted (hidden when not shown), so it keeps its place. */}
          <Box display={tab === "tools" ? "flex" : "none"} flexDirection="column">
            <ToolsTab
              width={columns}
              height={bodyHeight}
              active={tab === "tools" && question === undefined}
            />
          </Box>
          <Box display={tab === "launch" ? "flex" : "none"} flexDirection="column">
            <LaunchTab
              width={columns}
              height={bodyHeight}
              active={tab === "launch" && question === undefined}
            />
          </Box>
          {tab === "info" ? (
            <InfoTab gather={gatherInfo} height={bodyHeight} active={question === undefined} />
          ) : null}
        </Box>
        <Text
          wrap="truncate-end"
          bold={question !== undefined}
          inverse={question !== undefined}
          color={question === undefined && message?.kind === "error" ? theme.error : undefined}
        >
          {question?.text ?? message?.text ?? " "}
        </Text>
        <Text wrap="truncate-end" color={theme.muted}>
          {shown.map(([k, action]) => `${k} ${action}`).join(" · ")}
        </Text>
      </Box>
    </ShellProvider>
  );
}
