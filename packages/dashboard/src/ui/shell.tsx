/**
 * What every view asks of the frame around it: to show its keys in the help bar, to show a
 * one-line message, to ask a yes/no question, and to copy a text to the clipboard.
 */
import { createContext, useContext, useEffect } from "react";

/** One key and what it does, for the help bar. */
export type Hint = readonly [keys: string, action: string];

/** What the frame gives a tab: its room on the screen and whether it is the one shown. */
export interface TabProps {
  width: number;
  height: number;
  active: boolean;
}

/** The frame's services. */
export interface Shell {
  setHints(owner: string, hints: readonly Hint[] | undefined): void;
  notify(message: string, kind?: "info" | "error"): void;
  /** Asks `question` in the status line; `onYes` runs on `y`. */
  confirm(question: string, onYes: () => void): void;
  /** Copies `text` to the terminal's clipboard (OSC 52) and says so. */
  copy(text: string, what: string): void;
}

const noop: Shell = {
  setHints: () => undefined,
  notify: () => undefined,
  confirm: () => undefined,
  copy: () => undefined,
};

const ShellContext = createContext<Shell>(noop);

/** Provides the frame's services. */
export const ShellProvider = ShellContext.Provider;

/** The frame's services. */
export function useShell(): Shell {
  return useContext(ShellContext);
}

/** Shows `hints` in the help bar while the calling view is mounted and `active`. */
export function useHints(owner: string, hints: readonly Hint[], active = true): void {
  const shell = useShell();
  const key = JSON.stringify(hints);
  useEffect(() => {
    shell.setHints(owner, active ? hints : undefined);
    return () => shell.setHints(owner, undefined);
    // The hints are compared by content: a new array with the same keys changes nothing.
  }, [shell, owner, key, active]);
}
