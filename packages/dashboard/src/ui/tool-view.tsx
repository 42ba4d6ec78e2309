/**
 * One tool in detail: a header (state, ping, pid, uptime, description, interfaces) and four
 * sections switched with ←/→: its commands with their arguments (Enter opens the call form),
 * its help and config, the live log of its broadcasts, and the history of calls made to it
 * (Enter re-runs one, y copies it as a cpipe command line).
 */
import { Box, Text } from "ink";
import type { ReactNode } from "react";
import { useEffect, useState } from "react";
import type { CommandSpec } from "named-pipe-tools";
import type { CallRecord } from "../model/calls.js";
import { cpipeCommandLine } from "../model/calls.js";
import { callableCommands, argsSummary } from "./commands.js";
import { formatMs, formatUptime, oneLine } from "./format.js";
import { useStore } from "./hooks.js";
import type { KeyHandler } from "./keys.js";
import { Level, moveSelection, scrollBy, useKeys } from "./keys.js";
import { LogView } from "./log-view.js";
import { useModels } from "./models.js";
import type { Hint } from "./shell.js";
import { useHints, useShell } from "./shell.js";
import { stateColor, useTheme } from "./theme.js";
import { shownState } from "./tool-table.js";

/** The keys of a section that scrolls (help, log). */
const SCROLLING_SECTION_HINTS: readonly Hint[] = [
  ["↑↓", "scroll"],
  ["←→", "section"],
  ["Esc", "back"],
];

const SECTIONS = ["commands", "help", "log", "history"] as const;
type Section = (typeof SECTIONS)[number];

/** The detail view of tool `name`. */
export function ToolDetailView({
  name,
  width,
  height,
  active,
  onBack,
  onCall,
}: {
  name: string;
  width: number;
  height: number;
  active: boolean;
  onBack: () => void;
  onCall: (command: CommandSpec, args?: Record<string, unknown>, run?: boolean) => void;
}): ReactNode {
  const theme = useTheme();
  const { monitor } = useModels();
  const state = useStore(monitor);
  const tool = state.tools.find((t) => t.name === name);
  const [section, setSection] = useState<Section>("commands");
  const [scroll, setScroll] = useState(0);

  useEffect(() => {
    if (tool?.connection === "connected") void monitor.loadDetails(name);
  }, [monitor, name, tool?.connection]);

  const sectionKeys: KeyHandler = (input, key) => {
    if (key.escape) return (onBack(), true);
    const at = SECTIONS.indexOf(section);
    if (key.rightArrow || (key.tab && !key.shift)) {
      setSection(SECTIONS[(at + 1) % SECTIONS.length]!);
      setScroll(0);
      return true;
    }
    if (key.leftArrow || (key.tab && key.shift)) {
      setSection(SECTIONS[(at + SECTIONS.length - 1) % SECTIONS.length]!);
      setScroll(0);
      return true;
    }
    if (input === "R") {
      void monitor.loadDetails(name, true);
      return true;
    }
    return false;
  };
  useKeys(Level.Tab, sectionKeys, active);

  if (tool === undefined) {
    return (
      <Box flexDirection="column" height={height}>
        <Text color={theme.error}>'{name}' is gone. Esc goes back.</Text>
      </Box>
    );
  }
  const st = shownState(tool);
  const bodyHeight = Math.max(3, height - 5);
  return (
    <Box flexDirection="column" height={height}>
      <Text wrap="truncate-end">
        <Text bold>{tool.name}</Text> <Text color={stateColor(theme, st)}>{st}</Text>
        <Text color={theme.muted}>
          {"  "}ping {tool.pingMs === undefined ? "-" : formatMs(tool.pingMs)} · pid{" "}
          {tool.pid ?? "-"} · up{" "}
          {tool.startedAt === undefined ? "-" : formatUptime(Date.now() - tool.startedAt)}
        </Text>
      </Text>
      <Text wrap="truncate-end">{tool.description ?? ""}</Text>
      <Text wrap="truncate-end" color={theme.muted}>
        interfaces {tool.details?.interfaces.map((i) => i.name).join(", ") ?? "…"}
        {tool.details?.error === undefined ? "" : ` · ${tool.details.error}`}
      </Text>
      <Box>
        {SECTIONS.map((s) => (
          <Text
            key={s}
            bold={s === section}
            inverse={s === section}
            color={s === section ? undefined : theme.muted}
          >
            {s === section ? `[${s}]` : ` ${s} `}
          </Text>
        ))}
        <Text color={theme.muted}> ←/→ switch</Text>
      </Box>
      <Box height={bodyHeight} flexDirection="column" marginTop={1}>
        {section === "commands" ? (
          <CommandList
            name={name}
            height={bodyHeight}
            width={width}
            active={active}
            onCall={onCall}
          />
        ) : null}
        {section === "help" ? (
          <HelpText
            text={tool.details?.help}
            config={tool.details?.config}
            height={bodyHeight}
            scroll={scroll}
            onScroll={setScroll}
            active={active}
          />
        ) : null}
        {section === "log" ? (
          <LogSection log={tool.log} height={bodyHeight} active={active} />
        ) : null}
        {section === "history" ? (
          <HistoryList
            tool={name}
            height={bodyHeight}
            active={active}
            onRerun={(r) => {
              const spec = callableCommands(tool.details).find((c) => c.spec.name === r.cmd)
                ?.spec ?? { name: r.cmd, description: "", args: [] };
              onCall(spec, { ...r.args }, true);
            }}
          />
        ) : null}
      </Box>
    </Box>
  );
}

function CommandList({
  name,
  height,
  width,
  active,
  onCall,
}: {
  name: string;
  height: number;
  width: number;
  active: boolean;
  onCall: (command: CommandSpec) => void;
}): ReactNode {
  const theme = useTheme();
  const { monitor } = useModels();
  const tool = useStore(monitor).tools.find((t) => t.name === name);
  const commands = callableCommands(tool?.details);
  const [index, setIndex] = useState(0);
  useHints(
    "tool",
    [
      ["↑↓", "select"],
      ["⏎", "call"],
      ["←→", "section"],
      ["Esc", "back"],
    ],
    active,
  );
  useKeys(
    Level.View,
    (_input, key) => {
      const next = moveSelection(index, commands.length, key);
      if (next !== undefined) return (setIndex(next), true);
      const chosen = commands[index];
      if (key.return && chosen !== undefined) return (onCall(chosen.spec), true);
      return false;
    },
    active,
  );
  if (tool?.details === undefined) return <Text color={theme.muted}>loading commands…</Text>;
  if (commands.length === 0) return <Text color={theme.muted}>no commands</Text>;
  const per = 2;
  const visible = Math.max(1, Math.floor(height / per));
  const start = Math.min(Math.max(0, index - visible + 1), Math.max(0, commands.length - visible));
  return (
    <Box flexDirection="column">
      {commands.slice(start, start + visible).map((c, i) => {
        const isSelected = start + i === index;
        return (
          <Box key={`${c.iface}/${c.spec.name}`} flexDirection="column" width={width}>
            <Text wrap="truncate-end">
              <Text inverse={isSelected}>{isSelected ? ">" : " "}</Text>
              <Text bold>{c.spec.name}</Text>
              {c.spec.stream === true ? <Text color={theme.accent}> (stream)</Text> : null}
              <Text color={theme.muted}> [{c.iface}]</Text> {c.spec.description}
            </Text>
            <Text wrap="truncate-end" color={theme.muted}>
              {"    "}
              {argsSummary(c.spec)}
            </Text>
          </Box>
        );
      })}
    </Box>
  );
}

function HelpText({
  text,
  config,
  height,
  scroll,
  onScroll,
  active,
}: {
  text: string | undefined;
  config: Record<string, unknown> | undefined;
  height: number;
  scroll: number;
  onScroll: (n: number) => void;
  active: boolean;
}): ReactNode {
  const lines = [
    ...(text ?? "(no help)").split("\n"),
    "",
    `config: ${config === undefined ? "-" : JSON.stringify(config)}`,
  ];
  useHints("tool", SCROLLING_SECTION_HINTS, active);
  useKeys(
    Level.View,
    (_input, key) => {
      const next = scrollBy(scroll, lines.length, height, key);
      if (next === undefined) return false;
      onScroll(next);
      return true;
    },
    active,
  );
  return (
    <Box flexDirection="column">
      {lines.slice(scroll, scroll + height).map((line, i) => (
        <Text key={i} wrap="truncate-end">
          {line === "" ? " " : line}
        </Text>
      ))}
    </Box>
  );
}

function LogSection({
  log,
  height,
  active,
}: {
  log: Parameters<typeof LogView>[0]["log"];
  height: number;
  active: boolean;
}): ReactNode {
  const [scroll, setScroll] = useState(0);
  useHints("tool", SCROLLING_SECTION_HINTS, active);
  useKeys(
    Level.View,
    (_input, key) => {
      // Up goes back in time: the scroll counts entries up from the newest.
      const next = scrollBy(scroll, log.length, height, key, true);
      if (next === undefined) return false;
      setScroll(next);
      return true;
    },
    active,
  );
  return <LogView log={log} height={height} scroll={scroll} />;
}

function HistoryList({
  tool,
  height,
  active,
  onRerun,
}: {
  tool: string;
  height: number;
  active: boolean;
  onRerun: (record: CallRecord) => void;
}): ReactNode {
  const theme = useTheme();
  const shell = useShell();
  const { calls } = useModels();
  const records = useStore(calls).calls.filter((c) => c.tool === tool);
  const [index, setIndex] = useState(Math.max(0, records.length - 1));
  const selected = records[index];
  useHints(
    "tool",
    [
      ["↑↓", "select"],
      ["⏎", "re-run"],
      ["y", "copy as cpipe"],
      ["←→", "section"],
      ["Esc", "back"],
    ],
    active,
  );
  useKeys(
    Level.View,
    (input, key) => {
      const next = moveSelection(index, records.length, key);
      if (next !== undefined) return (setIndex(next), true);
      if (selected === undefined) return false;
      if (key.return) return (onRerun(selected), true);
      if (input === "y") return (shell.copy(cpipeCommandLine(selected), "the command line"), true);
      return false;
    },
    active,
  );
  if (records.length === 0)
    return <Text color={theme.muted}>no calls yet: pick a command in 'commands' and send it</Text>;
  const visible = Math.max(1, height - 2);
  const start = Math.min(Math.max(0, index - visible + 1), Math.max(0, records.length - visible));
  return (
    <Box flexDirection="column">
      {records.slice(start, start + visible).map((r, i) => {
        const isSelected = start + i === index;
        const took = r.endedAt === undefined ? "running" : formatMs(r.endedAt - r.startedAt);
        return (
          <Text key={r.seq} wrap="truncate-end">
            <Text inverse={isSelected}>{isSelected ? ">" : " "}</Text>#{r.seq}{" "}
            <Text bold>{r.cmd}</Text> {oneLine(JSON.stringify(r.args))}{" "}
            <Text
              color={
                r.status === "done" ? theme.ok : r.status === "running" ? theme.accent : theme.error
              }
            >
              {r.status}
            </Text>
            <Text color={theme.muted}>
              {" "}
              {took}
              {r.items > 0 ? ` · ${r.items} items` : ""}
            </Text>
          </Text>
        );
      })}
      {selected === undefined ? null : (
        <Text wrap="truncate-end" color={theme.muted}>
          $ {cpipeCommandLine(selected)}
        </Text>
      )}
    </Box>
  );
}
