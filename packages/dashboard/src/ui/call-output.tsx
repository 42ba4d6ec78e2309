/**
 * What a call brought back, as it arrives: the streamed text (or, with raw on, every message
 * as JSON), the final reply, and a status line that says how the call ended and what the
 * server said about a cancel.
 */
import { Box, Text } from "ink";
import type { ReactNode } from "react";
import type { CallRecord } from "../model/calls.js";
import { formatMs, messageFields } from "./format.js";
import { useTheme } from "./theme.js";

/** Splits `text` into lines of at most `width` characters. */
export function wrapLines(text: string, width: number): string[] {
  const out: string[] = [];
  for (const line of text.split("\n")) {
    const chars = [...line];
    if (chars.length === 0) out.push("");
    for (let i = 0; i < chars.length; i += width) out.push(chars.slice(i, i + width).join(""));
  }
  return out;
}

function body(record: CallRecord, raw: boolean): string {
  if (raw) return record.messages.map((m) => JSON.stringify(m)).join("\n");
  const final = record.final === undefined ? "" : messageFields(record.final);
  if (record.text !== "") return final === "" ? record.text : `${record.text}\n→ ${final}`;
  if (record.final === undefined) return "";
  const { event, id: _id, done: _done, ...fields } = record.final;
  return Object.keys(fields).length === 0 ? event : `${event} ${JSON.stringify(fields, null, 2)}`;
}

/** The output of call `record` in `width` × `height`. */
export function CallOutput({
  record,
  width,
  height,
  raw,
}: {
  record: CallRecord | undefined;
  width: number;
  height: number;
  raw: boolean;
}): ReactNode {
  const theme = useTheme();
  if (record === undefined)
    return <Text color={theme.muted}>⏎ sends the call; the reply or the stream shows here</Text>;
  const elapsed = (record.endedAt ?? Date.now()) - record.startedAt;
  const items = record.items > 0 ? ` · ${record.items} item${record.items === 1 ? "" : "s"}` : "";
  const status =
    record.status === "running"
      ? `running${items} · Esc cancels on the server`
      : record.status === "done"
        ? `done in ${formatMs(elapsed)}${items}`
        : record.status === "cancelled"
          ? `✗ cancelled${items}: ${record.error ?? ""}`
          : `✗ error: ${record.error ?? ""}`;
  const color =
    record.status === "done" ? theme.ok : record.status === "running" ? theme.accent : theme.error;
  const lines = wrapLines(body(record, raw), Math.max(10, width));
  const room = Math.max(1, height - (record.note === undefined ? 1 : 2));
  return (
    <Box flexDirection="column" height={height}>
      <Text wrap="truncate-end" color={color}>
        {status}
      </Text>
      {record.note === undefined ? null : (
        <Text wrap="truncate-end" color={theme.muted}>
          {record.note}
        </Text>
      )}
      {lines.slice(-room).map((line, i) => (
        <Text key={i} wrap="truncate-end">
          {line === "" ? " " : line}
        </Text>
      ))}
    </Box>
  );
}
