/**
 * The Info tab: the machine, Node, the pipe directory and its permissions, the server types
 * with their engines, and the package versions. Gathered when the tab opens; r refreshes.
 */
import { Box, Text } from "ink";
import type { ReactNode } from "react";
import { useCallback, useEffect, useState } from "react";
import type { InfoSection } from "../model/info.js";
import { Level, scrollBy, useKeys } from "./keys.js";
import { useHints } from "./shell.js";
import { useTheme } from "./theme.js";

/** The Info tab; `gather` collects the sections. */
export function InfoTab({
  gather,
  height,
  active,
}: {
  gather: () => Promise<InfoSection[]>;
  height: number;
  active: boolean;
}): ReactNode {
  const theme = useTheme();
  const [sections, setSections] = useState<InfoSection[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [scroll, setScroll] = useState(0);
  const refresh = useCallback(() => {
    gather().then(setSections, (err: Error) => setError(err.message));
  }, [gather]);
  useEffect(refresh, [refresh]);
  const lines = (sections ?? []).flatMap((s) => [
    { title: s.title },
    ...s.lines.map((l) => ({ line: l })),
  ]);
  const labelWidth = Math.min(
    28,
    1 + Math.max(0, ...(sections ?? []).flatMap((s) => s.lines.map((l) => l.label.length))),
  );
  useHints(
    "info",
    [
      ["↑↓", "scroll"],
      ["r", "refresh"],
    ],
    active,
  );
  useKeys(
    Level.Tab,
    (input, key) => {
      if (input === "r") return (refresh(), true);
      const next = scrollBy(scroll, lines.length, height, key);
      if (next === undefined) return false;
      setScroll(next);
      return true;
    },
    active,
  );
  if (error !== undefined) return <Text color={theme.error}>✗ {error}</Text>;
  if (sections === undefined) return <Text color={theme.muted}>gathering…</Text>;
  return (
    <Box flexDirection="column" height={height}>
      {lines.slice(scroll, scroll + height).map((item, i) =>
        "title" in item ? (
          <Text key={i} bold color={theme.accent}>
            {item.title}
          </Text>
        ) : (
          <Text
            key={i}
            wrap="truncate-end"
            color={item.line.warn === true ? theme.warn : undefined}
          >
            {"  "}
            {item.line.label.padEnd(labelWidth)} {item.line.value}
          </Text>
        ),
      )}
    </Box>
  );
}
