/**
 * One place that reads the keyboard. Views register handlers with a level; a key goes to the
 * active handlers from the highest level down until one takes it (returns true). A dialog sits
 * above a form, a form above its tab, a tab above the app's global keys, so `q` typed into a
 * field is text, and `q` on a list quits.
 */
import type { Key } from "ink";
import { useInput } from "ink";
import type { ReactNode } from "react";
import { createContext, useContext, useLayoutEffect, useRef, useState } from "react";

/** Handles a key; true when it took it. */
export type KeyHandler = (input: string, key: Key) => boolean;

/** Levels, lowest first. */
export const Level = { App: 0, Tab: 10, View: 20, Form: 30, Dialog: 100 } as const;

interface Registration {
  level: number;
  handler: { current: KeyHandler };
}

const KeyContext = createContext<Set<Registration> | null>(null);

/** A key event with no key flag set. */
export const NO_KEY: Key = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
  super: false,
  hyper: false,
  capsLock: false,
  numLock: false,
};

/** The key a lone control character stands for. */
function controlKey(ch: string): [string, Key] {
  const code = ch.charCodeAt(0);
  if (ch === "\r" || ch === "\n") return ["\r", { ...NO_KEY, return: true }];
  if (ch === "\t") return [ch, { ...NO_KEY, tab: true }];
  if (ch === "\x7f" || ch === "\b") return ["", { ...NO_KEY, delete: true }];
  if (ch === "\x1b") return ["", { ...NO_KEY, escape: true }];
  return [String.fromCharCode(code + 96), { ...NO_KEY, ctrl: true }];
}

/**
 * Splits one read of plain input into keys: Ink reports `ab\r` or `\x1550` (a fast typist, a
 * paste, tmux send-keys) as one input, so an Enter, Tab, Backspace or Ctrl key inside it would
 * be taken as text.
 */
export function splitInput(input: string, key: Key): [string, Key][] {
  // eslint-disable-next-line no-control-regex
  const control = /[\x00-\x1f\x7f]/;
  if (input.length <= 1 || key.ctrl || key.meta || key.escape || !control.test(input)) {
    return [[input, key]];
  }
  const out: [string, Key][] = [];
  // eslint-disable-next-line no-control-regex
  for (const part of input.replace(/\r\n/g, "\r").split(/([\x00-\x1f\x7f])/)) {
    if (part === "") continue;
    out.push(control.test(part) ? controlKey(part) : [part, { ...key, return: false }]);
  }
  return out;
}

/**
 * Reads the keyboard for everything below it. Keys are handed out one at a time: several can
 * arrive in one read (or faster than the screen redraws on a busy machine), and a handler must
 * see the state the previous key left, not the state of the render before both. So after each
 * key the router bumps a counter of its own, which React renders in the same batch as whatever
 * the handler changed; the next key is handed out only from the layout effect of that render,
 * once every handler has been rendered afresh. (A timer alone was not enough: on a loaded
 * machine React's scheduler can yield before that render, and the next key then saw the state
 * of the one before.)
 */
export function KeyRouter({
  children,
  active = true,
}: {
  children: ReactNode;
  active?: boolean;
}): ReactNode {
  const registrations = useRef(new Set<Registration>()).current;
  const queue = useRef<[string, Key][]>([]);
  const draining = useRef(false);
  const [handled, setHandled] = useState(0);
  const handOut = useRef((): void => {
    const next = queue.current.shift();
    if (next === undefined) {
      draining.current = false;
      return;
    }
    const ordered = [...registrations].sort((a, b) => b.level - a.level);
    for (const r of ordered) if (r.handler.current(...next)) break;
    setHandled((n) => n + 1);
  });
  useLayoutEffect(() => {
    if (handled > 0) setTimeout(handOut.current, 0);
  }, [handled]);
  useInput(
    (input, key) => {
      queue.current.push(...splitInput(input, key));
      if (draining.current) return;
      draining.current = true;
      setTimeout(handOut.current, 0);
    },
    { isActive: active },
  );
  return <KeyContext.Provider value={registrations}>{children}</KeyContext.Provider>;
}

/** Registers `handler` at `level` while `active`. */
export function useKeys(level: number, handler: KeyHandler, active = true): void {
  const registrations = useContext(KeyContext);
  const ref = useRef(handler);
  ref.current = handler;
  // A layout effect: a view that opens takes the very next key, even one already queued.
  useLayoutEffect(() => {
    if (!active || registrations === null) return;
    const registration: Registration = { level, handler: ref };
    registrations.add(registration);
    return () => void registrations.delete(registration);
  }, [active, level, registrations]);
}

/** Moves a selection index by the arrow, page and home/end keys; undefined for other keys. */
export function moveSelection(
  index: number,
  count: number,
  key: Key,
  page = 10,
): number | undefined {
  if (count === 0) return undefined;
  let next: number;
  if (key.upArrow) next = index - 1;
  else if (key.downArrow) next = index + 1;
  else if (key.pageUp) next = index - page;
  else if (key.pageDown) next = index + page;
  else if (key.home) next = 0;
  else if (key.end) next = count - 1;
  else return undefined;
  return Math.min(count - 1, Math.max(0, next));
}

/**
 * The new first line of a view `height` lines tall over `total` lines after `key`, or
 * undefined when the key does not scroll. With `fromEnd`, `scroll` counts lines up from the
 * end (a log whose newest line is at the bottom), so the arrows and pages are turned round.
 */
export function scrollBy(
  scroll: number,
  total: number,
  height: number,
  key: Key,
  fromEnd = false,
): number | undefined {
  const turned = fromEnd
    ? {
        ...key,
        upArrow: key.downArrow,
        downArrow: key.upArrow,
        pageUp: key.pageDown,
        pageDown: key.pageUp,
      }
    : key;
  return moveSelection(scroll, Math.max(1, total - height + 1), turned, height);
}
