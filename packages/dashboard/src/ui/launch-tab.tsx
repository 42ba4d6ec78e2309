/**
 * The Launch tab: the server types (ready-made ones, installed or not), a form generated from
 * the chosen type's own option schema, and the servers launched from here with their logs;
 * stopping one asks first.
 */
import { Box, Text } from "ink";
import type { ReactNode } from "react";
import { useEffect, useMemo, useState } from "react";
import type { ServerType } from "named-pipe-tools";
import {
  KNOWN_SERVER_TYPES,
  findPackage,
  installCommand,
  loadServerType,
  validateToolName,
} from "named-pipe-tools";
import { checkServeArgs, optionArgs, splitWords } from "../model/assemble.js";
import type { FormField } from "../model/form-fields.js";
import { initialText, optionFields } from "../model/form-fields.js";
import type { Launched } from "../model/launcher.js";
import { FormView, useForm } from "./form.js";
import { formatUptime } from "./format.js";
import { useStore } from "./hooks.js";
import { Level, moveSelection, scrollBy, useKeys } from "./keys.js";
import { useModels } from "./models.js";
import type { TabProps } from "./shell.js";
import { useHints, useShell } from "./shell.js";
import { useTheme } from "./theme.js";

type Route = { view: "list" } | { view: "form"; type: string } | { view: "log"; id: number };

interface TypeRow {
  name: string;
  description: string;
  installed: boolean;
  packageName?: string;
}

function typeRows(): TypeRow[] {
  return Object.entries(KNOWN_SERVER_TYPES).map(([name, known]) => ({
    name,
    description: known.description,
    installed: known.packageName === undefined || findPackage(known.packageName) !== undefined,
    ...(known.packageName === undefined ? {} : { packageName: known.packageName }),
  }));
}

/** The Launch tab. */
export function LaunchTab({ width, height, active }: TabProps): ReactNode {
  const [route, setRoute] = useState<Route>({ view: "list" });
  const [selectedProc, setSelectedProc] = useState<number | undefined>(undefined);
  if (route.view === "form") {
    return (
      <LaunchForm
        key={route.type}
        typeName={route.type}
        width={width}
        height={height}
        active={active}
        onDone={(id) => {
          if (id !== undefined) setSelectedProc(id);
          setRoute({ view: "list" });
        }}
      />
    );
  }
  if (route.view === "log")
    return (
      <FullLog
        id={route.id}
        height={height}
        active={active}
        onBack={() => setRoute({ view: "list" })}
      />
    );
  return (
    <LaunchList
      width={width}
      height={height}
      active={active}
      selectedProc={selectedProc}
      onSelectProc={setSelectedProc}
      onOpenType={(type) => setRoute({ view: "form", type })}
      onOpenLog={(id) => setRoute({ view: "log", id })}
    />
  );
}

function LaunchList({
  width,
  height,
  active,
  selectedProc,
  onSelectProc,
  onOpenType,
  onOpenLog,
}: {
  width: number;
  height: number;
  active: boolean;
  selectedProc: number | undefined;
  onSelectProc: (id: number) => void;
  onOpenType: (type: string) => void;
  onOpenLog: (id: number) => void;
}): ReactNode {
  const theme = useTheme();
  const shell = useShell();
  const { launcher } = useModels();
  const { procs } = useStore(launcher);
  const types = useMemo(typeRows, []);
  const [focus, setFocus] = useState<"types" | "procs">(
    selectedProc === undefined ? "types" : "procs",
  );
  const [typeIndex, setTypeIndex] = useState(0);
  const procIndex = Math.max(
    0,
    procs.findIndex((p) => p.id === selectedProc),
  );
  const proc: Launched | undefined = procs[procIndex];

  useHints(
    "launch",
    focus === "types"
      ? [
          ["↑↓", "select"],
          ["⏎", "launch…"],
          ["Tab", "launched servers"],
        ]
      : [
          ["↑↓", "select"],
          ["⏎", "full log"],
          ["x", "stop"],
          ["Tab", "server types"],
        ],
    active,
  );
  useKeys(
    Level.Tab,
    (input, key) => {
      if (key.tab) {
        setFocus(focus === "types" ? "procs" : "types");
        return true;
      }
      if (focus === "types") {
        const next = moveSelection(typeIndex, types.length, key);
        if (next !== undefined) return (setTypeIndex(next), true);
        const type = types[typeIndex];
        if (key.return && type !== undefined) {
          if (type.installed) onOpenType(type.name);
          else
            shell.notify(
              `${type.name} is not installed: ${installCommand(type.packageName ?? type.name)}`,
              "error",
            );
          return true;
        }
        return false;
      }
      const next = moveSelection(procIndex, procs.length, key);
      if (next !== undefined) {
        const p = procs[next];
        if (p !== undefined) onSelectProc(p.id);
        return true;
      }
      if (proc === undefined) return false;
      if (key.return) return (onOpenLog(proc.id), true);
      if (input === "x") {
        if (proc.status === "exited") shell.notify(`${proc.name} has already exited`);
        else
          shell.confirm(
            `Stop server '${proc.name}' (pid ${proc.pid ?? "?"})?`,
            () => void launcher.stop(proc.id).then(() => shell.notify(`${proc.name} stopped`)),
          );
        return true;
      }
      return false;
    },
    active,
  );

  const half = Math.floor((width - 1) / 2);
  const listHeight = Math.max(types.length + 1, Math.min(procs.length + 1, 8));
  const logHeight = Math.max(2, height - listHeight - 2);
  return (
    <Box flexDirection="column" height={height}>
      <Box height={listHeight}>
        <Box flexDirection="column" width={half}>
          <Text bold underline={focus === "types"}>
            Server types
          </Text>
          {types.map((t, i) => {
            const sel = i === typeIndex;
            return (
              <Text key={t.name} wrap="truncate-end" color={t.installed ? undefined : theme.muted}>
                <Text inverse={sel && focus === "types"}>{sel ? ">" : " "}</Text>
                <Text bold>{t.name.padEnd(5)}</Text>{" "}
                {t.installed ? t.description : `not installed (${t.packageName ?? ""})`}
              </Text>
            );
          })}
        </Box>
        <Text> </Text>
        <Box flexDirection="column" width={width - half - 1}>
          <Text bold underline={focus === "procs"}>
            Launched here
          </Text>
          {procs.length === 0 ? <Text color={theme.muted}> none yet</Text> : null}
          {procs.map((p, i) => {
            const sel = i === procIndex;
            const status = p.status === "exited" ? `exited ${p.exit ?? ""}` : p.status;
            return (
              <Text key={p.id} wrap="truncate-end">
                <Text inverse={sel && focus === "procs"}>{sel ? ">" : " "}</Text>
                <Text bold>{p.name}</Text>{" "}
                <Text color={theme.muted}>
                  {p.type} pid {p.pid ?? "-"}
                </Text>{" "}
                <Text
                  color={
                    p.status === "ready"
                      ? theme.ok
                      : p.status === "exited"
                        ? theme.error
                        : theme.warn
                  }
                >
                  {status}
                </Text>
                <Text color={theme.muted}> {formatUptime(Date.now() - p.startedAt)}</Text>
              </Text>
            );
          })}
        </Box>
      </Box>
      <Text wrap="truncate-end" color={theme.muted}>
        {proc === undefined
          ? "─".repeat(Math.max(0, width - 1))
          : `log of ${proc.name}: ${proc.logPath}`}
      </Text>
      {proc === undefined ? null : (
        <Box flexDirection="column" height={logHeight}>
          {proc.log.slice(-logHeight).map((line, i) => (
            <Text key={i} wrap="truncate-end">
              {line === "" ? " " : line}
            </Text>
          ))}
        </Box>
      )}
    </Box>
  );
}

/**
 * A name not yet used in the pipe directory: `demo`, else `demo2`, `demo3`, ... (a tool name
 * must not end in `-<digits>`, which would read as a client's pipe).
 */
export function freeName(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}${i}`)) return `${base}${i}`;
}

function LaunchForm({
  typeName,
  width,
  height,
  active,
  onDone,
}: {
  typeName: string;
  width: number;
  height: number;
  active: boolean;
  onDone: (id?: number) => void;
}): ReactNode {
  const theme = useTheme();
  const [type, setType] = useState<ServerType | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  useEffect(() => {
    let live = true;
    loadServerType(typeName).then(
      (t) => live && setType(t),
      (err: Error) => live && setError(err.message),
    );
    return () => void (live = false);
  }, [typeName]);
  useHints("form:launch-loading", [["Esc", "back"]], active && type === undefined);
  useKeys(
    Level.Form,
    (_input, key) => (key.escape ? (onDone(), true) : false),
    active && type === undefined,
  );
  if (type === undefined) {
    return error === undefined ? (
      <Text color={theme.muted}>loading the options of {typeName}…</Text>
    ) : (
      <Text color={theme.error}>✗ {error}</Text>
    );
  }
  return (
    <LaunchFormFields type={type} width={width} height={height} active={active} onDone={onDone} />
  );
}

function LaunchFormFields({
  type,
  width,
  height,
  active,
  onDone,
}: {
  type: ServerType;
  width: number;
  height: number;
  active: boolean;
  onDone: (id?: number) => void;
}): ReactNode {
  const theme = useTheme();
  const shell = useShell();
  const { launcher, monitor } = useModels();
  const tools = useStore(monitor).tools;
  const common: FormField[] = useMemo(
    () => [
      {
        key: "name",
        kind: "string",
        required: true,
        description: "tool name to serve under",
        hint: "tool name",
      },
      {
        key: "dir",
        kind: "string",
        required: true,
        description: "pipe directory",
        hint: "directory",
      },
    ],
    [],
  );
  const own = useMemo(() => optionFields(type.options), [type]);
  const rest: FormField[] = useMemo(
    () =>
      type.rest === undefined
        ? []
        : [
            {
              key: "--",
              kind: "string",
              required: type.rest.required === true,
              description: type.rest.description,
              hint: type.rest.name,
            },
          ],
    [type],
  );
  const fields = useMemo(() => [...common, ...own, ...rest], [common, own, rest]);
  const initial = useMemo(
    () => ({
      name: freeName(type.name, new Set(tools.map((t) => t.name))),
      dir: monitor.dir,
      ...Object.fromEntries(own.map((f) => [f.key, ""])),
    }),
    // The defaults are fixed when the form opens, not when tools come and go.
    [type],
  );
  const form = useForm(fields, initial);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const launch = (): void => {
    const name = (form.texts["name"] ?? "").trim();
    const dir = (form.texts["dir"] ?? "").trim();
    const fieldErrors: Record<string, string> = {};
    if (name === "") fieldErrors["name"] = "is required";
    else {
      try {
        validateToolName(name);
      } catch (err) {
        fieldErrors["name"] = (err as Error).message;
      }
    }
    if (dir === "") fieldErrors["dir"] = "is required";
    const words = optionArgs(own, form.texts);
    Object.assign(fieldErrors, words.fieldErrors);
    const restWords = rest.length === 0 ? [] : splitWords(form.texts["--"] ?? "");
    if (rest.length > 0 && rest[0]!.required && restWords.length === 0)
      fieldErrors["--"] = "is required";
    setErrors(fieldErrors);
    setFormError(undefined);
    if (Object.keys(fieldErrors).length > 0 || words.value === undefined) return;
    const all = [...words.value, ...(restWords.length === 0 ? [] : ["--", ...restWords])];
    const checked = checkServeArgs(type, all, own);
    if (checked.value === undefined) {
      setErrors(checked.fieldErrors);
      setFormError(checked.formError);
      return;
    }
    setBusy(true);
    launcher.launch(type.name, name, dir, checked.value).then(
      (p) => {
        shell.notify(`launched ${p.name} (pid ${p.pid ?? "?"}); log: ${p.logPath}`);
        onDone(p.id);
      },
      (err: Error) => {
        setBusy(false);
        setFormError(err.message);
      },
    );
  };

  useHints(
    "form:launch",
    [
      ["⏎", "launch"],
      ["Tab/↑↓", "field"],
      ["Esc", "back"],
    ],
    active,
  );
  useKeys(
    Level.Form,
    (input, key) => {
      if (key.escape) return (onDone(), true);
      if (busy) return true;
      if (key.return) return (launch(), true);
      return form.handleKey(input, key);
    },
    active,
  );

  return (
    <Box flexDirection="column" height={height}>
      <Text wrap="truncate-end">
        <Text bold>launch {type.name}</Text>
        <Text color={theme.muted}> {type.description}</Text>
      </Text>
      <Box marginTop={1} flexDirection="column" height={height - 3} overflow="hidden">
        <FormView fields={fields} form={form} errors={errors} width={width} active={active} />
      </Box>
      {formError === undefined ? (
        <Text color={theme.muted} wrap="truncate-end">
          empty options take the server's defaults
          {own.some((f) => f.default !== undefined)
            ? ` (${own
                .filter((f) => f.default !== undefined)
                .map((f) => `${f.key}=${initialText(f)}`)
                .join(", ")})`
            : ""}
        </Text>
      ) : (
        <Text color={theme.error} wrap="truncate-end">
          ✗ {formError}
        </Text>
      )}
    </Box>
  );
}

function FullLog({
  id,
  height,
  active,
  onBack,
}: {
  id: number;
  height: number;
  active: boolean;
  onBack: () => void;
}): ReactNode {
  const theme = useTheme();
  const { launcher } = useModels();
  const proc = useStore(launcher).procs.find((p) => p.id === id);
  const [scroll, setScroll] = useState(0);
  const lines = proc?.log ?? [];
  const room = Math.max(1, height - 2);
  useHints(
    "launch-log",
    [
      ["↑↓", "scroll"],
      ["Esc", "back"],
    ],
    active,
  );
  useKeys(
    Level.View,
    (_input, key) => {
      if (key.escape) return (onBack(), true);
      const next = scrollBy(scroll, lines.length, room, key, true);
      if (next === undefined) return false;
      setScroll(next);
      return true;
    },
    active,
  );
  if (proc === undefined) return <Text color={theme.error}>gone</Text>;
  const end = lines.length - scroll;
  return (
    <Box flexDirection="column" height={height}>
      <Text wrap="truncate-end" color={theme.muted}>
        $ {proc.commandLine}
      </Text>
      <Text wrap="truncate-end" color={theme.muted}>
        {proc.logPath}
      </Text>
      {lines.slice(Math.max(0, end - room + 1), end).map((line, i) => (
        <Text key={i} wrap="truncate-end">
          {line === "" ? " " : line}
        </Text>
      ))}
    </Box>
  );
}
