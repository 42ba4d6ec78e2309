/**
 * Where the agent's output goes: the human lines to stdout, or to stderr when --json puts one
 * JSON line of results per turn on stdout.
 */

/** The agent's console. */
export interface Ui {
  /** A human line. */
  info: (line: string) => void;
  /** Text without a line break (a reply as it streams). */
  write: (text: string) => void;
  /** One JSON line of results (only with --json). */
  json: (value: Record<string, unknown>) => void;
}

/** Control characters (a model's stray bytes) that must not reach a terminal. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** `text` without control characters, line breaks as spaces. */
export function printable(text: string): string {
  return text.replace(CONTROL, "").replace(/\n/g, " ");
}

/** The console, human lines on stdout, or on stderr with `json`. */
export function consoleUi(json: boolean): Ui {
  const human = json ? process.stderr : process.stdout;
  return {
    info: (line) => void human.write(`${printable(line)}\n`),
    write: (text) => void human.write(printable(text)),
    json: (value) => {
      if (json) process.stdout.write(`${JSON.stringify(value)}\n`);
    },
  };
}
