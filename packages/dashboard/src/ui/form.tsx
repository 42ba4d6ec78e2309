/**
 * A form generated from fields: one row per field (label, value, what it takes) with its error
 * right under it, and the description of the focused field. `useForm` holds the texts, the
 * focus and the cursor, and turns keys into edits: Tab/↓ and Shift-Tab/↑ move between fields,
 * Space and ←/→ cycle a boolean or a choice, anything else edits the focused text.
 */
import type { Key } from "ink";
import { Box, Text } from "ink";
import type { ReactNode } from "react";
import { useState } from "react";
import type { FormField } from "../model/form-fields.js";
import { cycleValue } from "../model/form-fields.js";
import type { LineState } from "../model/line-edit.js";
import { editLine, lineOf } from "../model/line-edit.js";
import { TextField } from "./text-field.js";
import { useTheme } from "./theme.js";

/** A form's editing state and its key handler. */
export interface FormState {
  texts: Readonly<Record<string, string>>;
  focus: number;
  line: LineState;
  setTexts(texts: Record<string, string>): void;
  /** Applies a key; true when the form took it. */
  handleKey(input: string, key: Key): boolean;
}

/** Holds a form's texts, focus and cursor. */
export function useForm(
  fields: readonly FormField[],
  initial: Readonly<Record<string, string>>,
): FormState {
  const [texts, setTextsState] = useState<Record<string, string>>({ ...initial });
  const [focus, setFocus] = useState(0);
  const [cursor, setCursor] = useState<number | undefined>(undefined);
  const field = fields[focus];
  const text = field === undefined ? "" : (texts[field.key] ?? "");
  const line: LineState = { text, cursor: cursor ?? [...text].length };

  const moveFocus = (to: number): void => {
    setFocus(Math.min(fields.length - 1, Math.max(0, to)));
    setCursor(undefined);
  };
  const setText = (value: string, nextCursor?: number): void => {
    if (field === undefined) return;
    setTextsState((t) => ({ ...t, [field.key]: value }));
    setCursor(nextCursor);
  };

  const handleKey = (input: string, key: Key): boolean => {
    if (field === undefined) return false;
    if ((key.tab && !key.shift) || key.downArrow) {
      if (focus >= fields.length - 1) return key.tab ? (moveFocus(0), true) : false;
      moveFocus(focus + 1);
      return true;
    }
    if ((key.tab && key.shift) || key.upArrow) {
      if (focus === 0) return key.tab ? (moveFocus(fields.length - 1), true) : false;
      moveFocus(focus - 1);
      return true;
    }
    if (field.kind === "boolean" || field.kind === "choice") {
      if (input === " " || key.rightArrow) return (setText(cycleValue(field, text, 1)), true);
      if (key.leftArrow) return (setText(cycleValue(field, text, -1)), true);
    }
    const next = editLine(line, input, key);
    if (next === undefined) return false;
    setText(next.text, next.cursor);
    return true;
  };

  return {
    texts,
    focus,
    line,
    setTexts: (t) => {
      setTextsState({ ...t });
      setCursor(undefined);
    },
    handleKey,
  };
}

/** Draws a form. */
export function FormView({
  fields,
  form,
  errors,
  width,
  active,
}: {
  fields: readonly FormField[];
  form: FormState;
  errors: Readonly<Record<string, string>>;
  width: number;
  active: boolean;
}): ReactNode {
  const theme = useTheme();
  const labelWidth = Math.min(18, Math.max(6, ...fields.map((f) => f.key.length + 2)));
  const inputWidth = Math.max(12, Math.floor((width - labelWidth - 4) * 0.55));
  const hintWidth = Math.max(0, width - labelWidth - inputWidth - 5);
  const focused = fields[form.focus];
  if (fields.length === 0) return <Text color={theme.muted}> (no arguments)</Text>;
  return (
    <Box flexDirection="column">
      {fields.map((field, i) => {
        const isFocused = active && i === form.focus;
        const error = errors[field.key];
        const text = form.texts[field.key] ?? "";
        return (
          <Box key={field.key} flexDirection="column">
            <Box>
              <Text bold={isFocused}>{isFocused ? ">" : " "}</Text>
              <Box width={labelWidth}>
                <Text
                  wrap="truncate-end"
                  bold={isFocused}
                  color={error === undefined ? undefined : theme.error}
                >
                  {field.key}
                  {field.required ? "*" : ""}
                </Text>
              </Box>
              <Text> </Text>
              <TextField
                state={isFocused ? form.line : lineOf(text)}
                width={inputWidth}
                focused={isFocused}
                placeholder={field.kind === "boolean" || field.kind === "choice" ? "(unset)" : ""}
              />
              <Text> </Text>
              <Box width={hintWidth}>
                <Text wrap="truncate-end" color={theme.muted}>
                  {field.hint}
                </Text>
              </Box>
            </Box>
            {error === undefined ? null : (
              <Box marginLeft={labelWidth + 2}>
                <Text wrap="truncate-end" color={theme.error}>
                  ✗ {field.key} {error}
                </Text>
              </Box>
            )}
          </Box>
        );
      })}
      {active && focused !== undefined && focused.description !== "" ? (
        <Text wrap="truncate-end" color={theme.muted}>
          {"  "}
          {focused.key}: {focused.description}
          {focused.kind === "boolean" || focused.kind === "choice" ? "  (Space cycles)" : ""}
        </Text>
      ) : null}
    </Box>
  );
}
