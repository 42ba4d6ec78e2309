/**
 * One line of editable text, drawn with its cursor (inverse) and scrolled to keep the cursor
 * in view.
 */
import { Text } from "ink";
import type { ReactNode } from "react";
import type { LineState } from "../model/line-edit.js";
import { visibleLine } from "../model/line-edit.js";

/** Draws `state` in `width` columns; the cursor shows only when `focused`. */
export function TextField({
  state,
  width,
  focused,
  placeholder,
}: {
  state: LineState;
  width: number;
  focused: boolean;
  placeholder?: string;
}): ReactNode {
  if (!focused) {
    const shown = state.text === "" ? (placeholder ?? "") : state.text;
    return (
      <Text wrap="truncate-end" dimColor={state.text === ""}>
        {shown.padEnd(width).slice(0, Math.max(width, 1))}
      </Text>
    );
  }
  const { before, at, after } = visibleLine(state, width);
  const fill = Math.max(0, width - [...before].length - 1 - [...after].length);
  return (
    <Text>
      {before}
      <Text inverse>{at}</Text>
      {after}
      {" ".repeat(fill)}
    </Text>
  );
}
