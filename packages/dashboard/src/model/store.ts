/**
 * A minimal observable state holder for React's useSyncExternalStore: the model classes keep
 * an immutable snapshot and replace it on change; listeners are told at most once per tick so a
 * fast stream (thousands of tokens a second) costs one render per frame, not one per message.
 */

/** An observable snapshot of type `S`. */
export class Store<S> {
  #state: S;
  readonly #listeners = new Set<() => void>();
  #scheduled: NodeJS.Immediate | undefined;

  constructor(initial: S) {
    this.#state = initial;
  }

  /** The current snapshot (the same object until the next change). */
  readonly getSnapshot = (): S => this.#state;

  /** Adds a listener; returns the function that removes it. */
  readonly subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  /** Replaces the snapshot and schedules one notification. */
  protected setState(next: S): void {
    this.#state = next;
    this.#scheduled ??= setImmediate(() => {
      this.#scheduled = undefined;
      for (const listener of [...this.#listeners]) listener();
    });
  }

  /** Drops a pending notification (on close). */
  protected cancelNotify(): void {
    if (this.#scheduled !== undefined) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
  }
}
