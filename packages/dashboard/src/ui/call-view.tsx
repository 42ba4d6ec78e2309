/**
 * Calling one command: a form generated from its schema (defaults filled in; Ctrl-T switches
 * to editing all arguments as one JSON object), checked before sending with the mistakes shown
 * next to their fields; Enter sends, the reply or the stream shows below as it arrives, Esc
 * cancels a running call on the server (and, when nothing runs, goes back).
 */
import { Box, Text } from "ink";
import type { ReactNode } from "react";
import { useEffect, useMemo, useRef, useState } from "react";
import type { CommandSpec } from "named-pipe-tools";
import { assembleArgs, assembleJson } from "../model/assemble.js";
import { cpipeCommandLine } from "../model/calls.js";
import { commandFields, initialText } from "../model/form-fields.js";
import type { FormField } from "../model/form-fields.js";
import type { JsonSchema } from "../model/json-schema.js";
import type { LineState } from "../model/line-edit.js";
import { editLine, lineOf } from "../model/line-edit.js";
import { CallOutput } from "./call-output.js";
import { FormView, useForm } from "./form.js";
import { useStore } from "./hooks.js";
import { Level, useKeys } from "./keys.js";
import { useModels } from "./models.js";
import { useHints, useShell } from "./shell.js";
import { TextField } from "./text-field.js";
import { useTheme } from "./theme.js";

/** The text a field shows for a value (from a re-run call's arguments). */
function textFor(field: FormField, value: unknown): string {
  if (value === undefined) return "";
  if (typeof value === "string" && field.kind !== "json" && field.kind !== "any") return value;
  if (typeof value === "string" && field.kind === "any") {
    // A string that would read back as JSON (`12`, `true`) must stay quoted to stay a string.
    try {
      JSON.parse(value);
      return JSON.stringify(value);
    } catch {
      return value;
    }
  }
  if (Array.isArray(value) && field.kind === "list") return value.join(",");
  return typeof value === "number" || typeof value === "boolean"
    ? String(value)
    : JSON.stringify(value);
}

/** The call view of `command` on `tool`. */
export function CallView({
  tool,
  command,
  initialArgs,
  runAtOnce,
  width,
  height,
  active,
  onBack,
}: {
  tool: string;
  command: CommandSpec;
  initialArgs: Record<string, unknown> | undefined;
  runAtOnce: boolean;
  width: number;
  height: number;
  active: boolean;
  onBack: () => void;
}): ReactNode {
  const theme = useTheme();
  const shell = useShell();
  const { monitor, calls } = useModels();
  const history = useStore(calls);
  const fields = useMemo(() => commandFields(command), [command]);
  const schema: JsonSchema | undefined = command.input_schema;
  const extra =
    initialArgs !== undefined &&
    Object.keys(initialArgs).some((k) => !fields.some((f) => f.key === k));
  const form = useForm(
    fields,
    Object.fromEntries(
      fields.map((f) => [
        f.key,
        initialArgs === undefined ? initialText(f) : textFor(f, initialArgs[f.key]),
      ]),
    ),
  );
  const [jsonMode, setJsonMode] = useState(extra);
  const [json, setJson] = useState<LineState>(lineOf(JSON.stringify(initialArgs ?? {})));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | undefined>(undefined);
  const [seq, setSeq] = useState<number | undefined>(undefined);
  const [raw, setRaw] = useState(false);
  const record = history.calls.find((c) => c.seq === seq);
  const running = record?.status === "running";

  const send = (): void => {
    const client = monitor.client(tool);
    if (client === undefined) {
      setFormError(`not connected to '${tool}'`);
      return;
    }
    const result = jsonMode
      ? assembleJson(json.text, fields, schema)
      : assembleArgs(fields, form.texts, schema);
    setErrors(result.fieldErrors);
    setFormError(result.formError);
    if (result.value === undefined) return;
    setSeq(calls.run(client, monitor.dir, command.name, result.value).seq);
  };
  const sendRef = useRef(send);
  sendRef.current = send;
  useEffect(() => {
    if (runAtOnce) sendRef.current();
  }, [runAtOnce]);

  useHints(
    "form:call",
    running
      ? [
          ["Esc", "cancel on the server"],
          ["^R", raw ? "text" : "raw messages"],
        ]
      : [
          ["⏎", "send"],
          ["Tab/↑↓", "field"],
          ["^T", jsonMode ? "fields" : "JSON"],
          ["^R", raw ? "text" : "raw"],
          ["^Y", "copy cpipe"],
          ["Esc", "back"],
        ],
    active,
  );

  useKeys(
    Level.Form,
    (input, key) => {
      if (key.escape) {
        if (running && seq !== undefined) void calls.cancel(seq);
        else onBack();
        return true;
      }
      if (key.ctrl && input === "r") return (setRaw(!raw), true);
      if (key.ctrl && input === "y") {
        if (record === undefined) shell.notify("nothing sent yet");
        else shell.copy(cpipeCommandLine(record), "the command line");
        return true;
      }
      if (running) return true; // the form is locked while its call runs
      if (key.return) return (send(), true);
      if (key.ctrl && input === "t") {
        if (jsonMode) {
          const parsed = assembleJson(json.text, fields, undefined);
          if (parsed.value === undefined) {
            setFormError(parsed.formError);
            return true;
          }
          form.setTexts(
            Object.fromEntries(fields.map((f) => [f.key, textFor(f, parsed.value?.[f.key])])),
          );
        } else {
          const built = assembleArgs(fields, form.texts, undefined);
          setJson(lineOf(JSON.stringify(built.value ?? {})));
        }
        setErrors({});
        setFormError(undefined);
        setJsonMode(!jsonMode);
        return true;
      }
      if (jsonMode) {
        const next = editLine(json, input, key);
        if (next === undefined) return false;
        setJson(next);
        return true;
      }
      return form.handleKey(input, key);
    },
    active,
  );

  const formRows = jsonMode ? 2 : fields.length + Object.keys(errors).length + 1;
  const outputHeight = Math.max(3, height - formRows - 4);
  return (
    <Box flexDirection="column" height={height}>
      <Text wrap="truncate-end">
        <Text bold>
          {tool} › {command.name}
        </Text>
        {command.stream === true ? <Text color={theme.accent}> (stream)</Text> : null}
        <Text color={theme.muted}> {command.description}</Text>
      </Text>
      <Box flexDirection="column" marginTop={1}>
        {jsonMode ? (
          <Box>
            <Text bold>{"> args "}</Text>
            <TextField state={json} width={Math.max(10, width - 9)} focused={active && !running} />
          </Box>
        ) : (
          <FormView
            fields={fields}
            form={form}
            errors={errors}
            width={width}
            active={active && !running}
          />
        )}
        {formError === undefined ? null : (
          <Text wrap="truncate-end" color={theme.error}>
            ✗ {formError}
          </Text>
        )}
      </Box>
      <Text color={theme.muted}>{"─".repeat(Math.max(0, width - 1))}</Text>
      <CallOutput record={record} width={width} height={outputHeight} raw={raw} />
    </Box>
  );
}
