/**
 * Taking the terminal over and giving it back: the alternate screen (so the shell's screen
 * comes back intact), a hidden cursor, raw mode (Ink's). `restore()` undoes all of it and is
 * safe to call more than once and from an exit handler, so a crash, a signal or a normal quit
 * all leave the terminal as they found it.
 */

const ENTER = "\x1b[?1049h\x1b[H\x1b[2J\x1b[?25l";
const LEAVE = "\x1b[?25h\x1b[?1049l";

/** A terminal taken over by the dashboard. */
export interface TerminalGuard {
  /** Gives the terminal back (idempotent, synchronous). */
  restore(): void;
}

/** Switches `stdout` to the alternate screen; `restore()` switches back. */
export function takeTerminal(stdin: NodeJS.ReadStream, stdout: NodeJS.WriteStream): TerminalGuard {
  let restored = false;
  const restore = (): void => {
    if (restored) return;
    restored = true;
    process.off("exit", restore);
    try {
      if (stdin.isTTY) stdin.setRawMode(false);
    } catch {
      // stdin already closed: nothing to restore there
    }
    try {
      stdout.write(LEAVE);
    } catch {
      // stdout gone (terminal closed): nothing to restore
    }
  };
  stdout.write(ENTER);
  // Last resort: whatever ends the process, the terminal comes back.
  process.on("exit", restore);
  return { restore };
}

/** The OSC 52 sequence that puts `text` on the terminal's clipboard (tmux keeps it as a buffer). */
export function clipboardSequence(text: string): string {
  return `\x1b]52;c;${Buffer.from(text, "utf8").toString("base64")}\x07`;
}
