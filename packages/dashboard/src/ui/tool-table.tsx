/**
 * The table of tools: name, state, ping, pid, uptime and description, one row each, the
 * selected one marked; scrolled to keep the selection in view.
 */
import { Box, Text } from "ink";
import type { ReactNode } from "react";
import type { ToolView } from "../model/tools-monitor.js";
import { formatMs, formatUptime } from "./format.js";
import { stateColor, useTheme } from "./theme.js";

/** The state word shown for a tool: its own state, or why there is none. */
export function shownState(tool: ToolView): string {
  if (tool.status === "orphaned") return "orphaned";
  if (tool.status === "starting") return "starting";
  if (tool.connection === "failed") return "no answer";
  if (tool.connection === "closed") return "gone";
  if (tool.connection !== "connected") return "…";
  return tool.state ?? "?";
}

const COLUMNS = { name: 14, state: 11, ping: 8, pid: 8, up: 7 } as const;

function Cell({
  width,
  children,
  color,
  bold,
}: {
  width: number;
  children: string;
  color?: string | undefined;
  bold?: boolean;
}): ReactNode {
  return (
    <Box width={width} flexShrink={0}>
      <Text wrap="truncate-end" color={color} bold={bold}>
        {children}
      </Text>
    </Box>
  );
}

/** The rows of the table that fit in `height` lines (header included). */
export function ToolTable({
  tools,
  selected,
  height,
  width,
  now,
}: {
  tools: readonly ToolView[];
  selected: number;
  height: number;
  width: number;
  now: number;
}): ReactNode {
  const theme = useTheme();
  const rows = Math.max(1, height - 1);
  const start = Math.min(Math.max(0, selected - rows + 1), Math.max(0, tools.length - rows));
  const descWidth = Math.max(
    8,
    width - 2 - COLUMNS.name - COLUMNS.state - COLUMNS.ping - COLUMNS.pid - COLUMNS.up,
  );
  return (
    <Box flexDirection="column" height={height}>
      <Box>
        <Text> </Text>
        <Cell width={COLUMNS.name} bold>
          NAME
        </Cell>
        <Cell width={COLUMNS.state} bold>
          STATE
        </Cell>
        <Cell width={COLUMNS.ping} bold>
          PING
        </Cell>
        <Cell width={COLUMNS.pid} bold>
          PID
        </Cell>
        <Cell width={COLUMNS.up} bold>
          UP
        </Cell>
        <Cell width={descWidth} bold>
          DESCRIPTION
        </Cell>
      </Box>
      {tools.length === 0 ? (
        <Text color={theme.muted}>
          {" "}
          no tools here yet: start one (2 Launch, or 'cpipe --serve demo')
        </Text>
      ) : null}
      {tools.slice(start, start + rows).map((tool, i) => {
        const isSelected = start + i === selected;
        const state = shownState(tool);
        const ping =
          tool.pingMs !== undefined
            ? formatMs(tool.pingMs)
            : tool.pingError !== undefined
              ? "timeout"
              : "-";
        const desc =
          tool.status === "orphaned"
            ? "(pipe left by a server that is gone)"
            : (tool.description ?? tool.error ?? "");
        return (
          <Box key={tool.path}>
            <Text inverse={isSelected}>{isSelected ? ">" : " "}</Text>
            <Cell width={COLUMNS.name} bold={isSelected}>
              {tool.name}
            </Cell>
            <Cell
              width={COLUMNS.state}
              color={stateColor(theme, state === "…" ? undefined : state)}
            >
              {state}
            </Cell>
            <Cell
              width={COLUMNS.ping}
              color={tool.pingError === undefined ? undefined : theme.warn}
            >
              {ping}
            </Cell>
            <Cell width={COLUMNS.pid}>{tool.pid === undefined ? "-" : String(tool.pid)}</Cell>
            <Cell width={COLUMNS.up}>
              {tool.startedAt === undefined ? "-" : formatUptime(now - tool.startedAt)}
            </Cell>
            <Cell width={descWidth} color={theme.muted}>
              {desc}
            </Cell>
          </Box>
        );
      })}
    </Box>
  );
}
