/**
 * Hooks shared by the views: a model store's snapshot, and the terminal size (kept current on
 * resize).
 */
import { useStdout } from "ink";
import { useEffect, useState, useSyncExternalStore } from "react";

/** The current snapshot of a model store, re-rendering on change. */
export function useStore<S>(store: {
  subscribe: (fn: () => void) => () => void;
  getSnapshot: () => S;
}): S {
  return useSyncExternalStore(store.subscribe, store.getSnapshot);
}

/** Terminal size. */
export interface Size {
  columns: number;
  rows: number;
}

/** The terminal's size (`fixed` wins, for tests), following resizes. */
export function useTerminalSize(fixed?: Size): Size {
  const { stdout } = useStdout();
  const read = (): Size => fixed ?? { columns: stdout.columns || 80, rows: stdout.rows || 24 };
  const [size, setSize] = useState(read);
  useEffect(() => {
    if (fixed !== undefined) return;
    const onResize = (): void =>
      setSize({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
    stdout.on("resize", onResize);
    return () => void stdout.off("resize", onResize);
  }, [stdout, fixed]);
  return fixed ?? size;
}
