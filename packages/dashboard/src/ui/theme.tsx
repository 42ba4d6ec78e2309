/**
 * Colours, or none: with NO_COLOR set (https://no-color.org) every colour is left out and only
 * text attributes remain (bold, inverse), so nothing depends on colour to be understood (the
 * selected row also has a `>` marker).
 */
import { createContext, useContext } from "react";

/** The named colours the dashboard uses. */
export interface Theme {
  noColor: boolean;
  accent: string | undefined;
  ok: string | undefined;
  warn: string | undefined;
  error: string | undefined;
  muted: string | undefined;
}

/** The theme for an environment. */
export function makeTheme(env: NodeJS.ProcessEnv = process.env): Theme {
  const noColor = env["NO_COLOR"] !== undefined && env["NO_COLOR"] !== "";
  if (noColor) {
    return {
      noColor,
      accent: undefined,
      ok: undefined,
      warn: undefined,
      error: undefined,
      muted: undefined,
    };
  }
  return { noColor, accent: "cyan", ok: "green", warn: "yellow", error: "red", muted: "gray" };
}

const ThemeContext = createContext<Theme>(makeTheme({}));

/** Provides the theme to the tree. */
export const ThemeProvider = ThemeContext.Provider;

/** The current theme. */
export function useTheme(): Theme {
  return useContext(ThemeContext);
}

/** The colour of a tool state: running/idle/ready are fine, errors are red, the rest yellow. */
export function stateColor(theme: Theme, state: string | undefined): string | undefined {
  if (state === undefined) return theme.muted;
  if (/^(running|idle|ready|listening)$/.test(state)) return theme.ok;
  if (/error|orphan|gone|failed/.test(state)) return theme.error;
  return theme.warn;
}
