/**
 * A tool's broadcasts, newest at the bottom: time, event name and fields on one line each.
 */
import { Box, Text } from "ink";
import type { ReactNode } from "react";
import type { LogEntry } from "../model/tools-monitor.js";
import { clock, messageFields, oneLine } from "./format.js";
import { useTheme } from "./theme.js";

/** The last entries of `log` that fit in `height` lines, `scroll` entries up from the end. */
export function LogView({
  log,
  height,
  scroll = 0,
}: {
  log: readonly LogEntry[];
  height: number;
  scroll?: number;
}): ReactNode {
  const theme = useTheme();
  if (log.length === 0) {
    return (
      <Text color={theme.muted}>
        {" "}
        no broadcasts yet (state changes and events the tool sends to everyone show here)
      </Text>
    );
  }
  const end = Math.max(0, log.length - scroll);
  const shown = log.slice(Math.max(0, end - height), end);
  return (
    <Box flexDirection="column" height={Math.min(height, shown.length)}>
      {shown.map((entry) => (
        <Text key={entry.seq} wrap="truncate-end">
          <Text color={theme.muted}>{clock(entry.at)} </Text>
          <Text color={theme.accent}>{entry.message.event}</Text>{" "}
          {oneLine(messageFields(entry.message))}
        </Text>
      ))}
    </Box>
  );
}
