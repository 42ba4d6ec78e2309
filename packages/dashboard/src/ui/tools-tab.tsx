/**
 * The Tools tab: the live table of tools with a preview of the selected one, and from there
 * the detail of one tool and the call form. Selection follows the tool by name, so tools that
 * appear or go do not move it.
 */
import { Box, Text } from "ink";
import type { ReactNode } from "react";
import { useEffect, useState } from "react";
import type { CommandSpec } from "named-pipe-tools";
import type { ToolView as Tool } from "../model/tools-monitor.js";
import { CallView } from "./call-view.js";
import { callableCommands } from "./commands.js";
import { useStore } from "./hooks.js";
import type { KeyHandler } from "./keys.js";
import { Level, moveSelection, useKeys } from "./keys.js";
import { LogView } from "./log-view.js";
import { useModels } from "./models.js";
import type { TabProps } from "./shell.js";
import { useHints, useShell } from "./shell.js";
import { useTheme } from "./theme.js";
import { ToolTable, shownState } from "./tool-table.js";
import { ToolDetailView } from "./tool-view.js";

/** Where the Tools tab is. */
export type ToolsRoute =
  | { view: "list" }
  | { view: "tool"; tool: string }
  | {
      view: "call";
      tool: string;
      command: CommandSpec;
      args?: Record<string, unknown>;
      run?: boolean;
    };

/** A clock that ticks every second (uptimes move even when nothing else does). */
function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/** The Tools tab. */
export function ToolsTab({ width, height, active }: TabProps): ReactNode {
  const { monitor } = useModels();
  const state = useStore(monitor);
  const [route, setRoute] = useState<ToolsRoute>({ view: "list" });
  const [selectedName, setSelectedName] = useState<string | undefined>(undefined);
  const tools = state.tools;
  const index = Math.max(
    0,
    tools.findIndex((t) => t.name === selectedName),
  );
  const selected: Tool | undefined = tools[index];

  useEffect(() => {
    if (selected?.connection === "connected") void monitor.loadDetails(selected.name);
  }, [monitor, selected?.name, selected?.connection]);

  if (route.view === "tool") {
    return (
      <ToolDetailView
        name={route.tool}
        width={width}
        height={height}
        active={active}
        onBack={() => setRoute({ view: "list" })}
        onCall={(command, args, run) =>
          setRoute({
            view: "call",
            tool: route.tool,
            command,
            ...(args === undefined ? {} : { args }),
            ...(run ? { run } : {}),
          })
        }
      />
    );
  }
  if (route.view === "call") {
    return (
      <CallView
        key={`${route.tool}/${route.command.name}/${JSON.stringify(route.args)}`}
        tool={route.tool}
        command={route.command}
        initialArgs={route.args}
        runAtOnce={route.run === true}
        width={width}
        height={height}
        active={active}
        onBack={() => setRoute({ view: "tool", tool: route.tool })}
      />
    );
  }
  return (
    <ToolList
      tools={tools}
      selected={selected}
      index={index}
      width={width}
      height={height}
      active={active}
      onSelect={setSelectedName}
      onOpen={(name) => setRoute({ view: "tool", tool: name })}
    />
  );
}

function ToolList({
  tools,
  selected,
  index,
  width,
  height,
  active,
  onSelect,
  onOpen,
}: {
  tools: readonly Tool[];
  selected: Tool | undefined;
  index: number;
  width: number;
  height: number;
  active: boolean;
  onSelect: (name: string) => void;
  onOpen: (name: string) => void;
}): ReactNode {
  const theme = useTheme();
  const shell = useShell();
  const { monitor } = useModels();
  const state = useStore(monitor);
  const now = useNow();
  const orphans = state.orphans.length;

  useHints(
    "tools",
    [
      ["↑↓", "select"],
      ["⏎", "open"],
      ["x", "stop"],
      ...(orphans > 0 ? ([["c", "clear orphans"]] as const) : []),
      ["r", "rescan"],
    ],
    active,
  );

  const handler: KeyHandler = (input, key) => {
    const next = moveSelection(index, tools.length, key);
    if (next !== undefined) {
      const tool = tools[next];
      if (tool !== undefined) onSelect(tool.name);
      return true;
    }
    if (key.return && selected !== undefined) {
      if (selected.connection === "connected") onOpen(selected.name);
      else shell.notify(`'${selected.name}' cannot be opened: ${shownState(selected)}`, "error");
      return true;
    }
    if (input === "r") {
      void monitor.rescan().then(() => shell.notify("rescanned"));
      return true;
    }
    if (input === "c") {
      if (orphans === 0) shell.notify("no orphaned pipes");
      else {
        shell.confirm(`Remove ${orphans} orphaned pipe${orphans === 1 ? "" : "s"}?`, () => {
          monitor.clearOrphans().then(
            (r) =>
              shell.notify(
                `removed ${r.removed.length} orphaned pipe${r.removed.length === 1 ? "" : "s"}${r.kept.length > 0 ? `, kept ${r.kept.length} (in use again)` : ""}${r.failed.length > 0 ? `, ${r.failed.length} failed: ${r.failed[0]?.error}` : ""}`,
              ),
            (err: Error) => shell.notify(`clear failed: ${err.message}`, "error"),
          );
        });
      }
      return true;
    }
    if (input === "x" && selected !== undefined) {
      if (selected.connection !== "connected")
        shell.notify(`'${selected.name}' is not connected`, "error");
      else {
        const pid = selected.pid === undefined ? "" : ` (pid ${selected.pid})`;
        shell.confirm(`Stop tool '${selected.name}'${pid}?`, () => {
          monitor.stopTool(selected.name).then(
            () => shell.notify(`asked '${selected.name}' to stop`),
            (err: Error) => shell.notify(`stop failed: ${err.message}`, "error"),
          );
        });
      }
      return true;
    }
    return false;
  };
  useKeys(Level.Tab, handler, active);

  const tableHeight = Math.max(3, Math.min(tools.length + 1, Math.floor(height / 2)));
  const previewHeight = height - tableHeight - 2;
  return (
    <Box flexDirection="column" height={height}>
      <ToolTable tools={tools} selected={index} height={tableHeight} width={width} now={now} />
      <Text color={orphans > 0 ? theme.warn : theme.muted} wrap="truncate-end">
        {state.error !== undefined
          ? `✗ ${state.error}`
          : orphans > 0
            ? `⚠ ${orphans} orphaned pipe${orphans === 1 ? "" : "s"} (left by servers or clients that are gone): c clears them`
            : `${"─".repeat(Math.max(0, width - 1))}`}
      </Text>
      {selected === undefined ? null : <Preview tool={selected} height={previewHeight} />}
    </Box>
  );
}

function Preview({ tool, height }: { tool: Tool; height: number }): ReactNode {
  const theme = useTheme();
  const commands = callableCommands(tool.details)
    .filter((c) => c.iface !== "base")
    .map((c) => c.spec.name);
  const interfaces = tool.details?.interfaces.map((i) => i.name) ?? [];
  return (
    <Box flexDirection="column" height={height}>
      <Text wrap="truncate-end">
        <Text bold>{tool.name}</Text>
        <Text color={theme.muted}> {tool.path}</Text>
      </Text>
      <Text wrap="truncate-end">{tool.description ?? tool.error ?? ""}</Text>
      <Text wrap="truncate-end" color={theme.muted}>
        {interfaces.length > 0
          ? `interfaces ${interfaces.join(", ")} · commands ${commands.join(" ") || "(built-in only)"}`
          : tool.connection === "connected"
            ? "…"
            : ""}
      </Text>
      <Text bold>Broadcasts</Text>
      <LogView log={tool.log} height={Math.max(1, height - 4)} />
    </Box>
  );
}
