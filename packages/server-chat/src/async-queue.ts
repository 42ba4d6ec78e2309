/**
 * A single-consumer queue that turns callback pushes into an async iterable.
 */

/** Push values in; iterate them out with `for await`. Ends with `end()` or `fail(err)`. */
export class AsyncQueue<T> implements AsyncIterable<T> {
  readonly #items: T[] = [];
  #done = false;
  #error: unknown;
  #failed = false;
  #wake: (() => void) | undefined;

  /** Adds a value (ignored after the end). */
  push(value: T): void {
    if (this.#done) return;
    this.#items.push(value);
    this.#notify();
  }

  /** Ends the iteration once the queued values are consumed. */
  end(): void {
    this.#done = true;
    this.#notify();
  }

  /** Ends the iteration with an error, after the queued values. */
  fail(err: unknown): void {
    if (this.#done) return;
    this.#error = err;
    this.#failed = true;
    this.end();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /** Removes and returns every queued value. */
  drain(): T[] {
    return this.#items.splice(0);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for (;;) {
      if (this.#items.length > 0) {
        yield this.#items.shift() as T;
        continue;
      }
      if (this.#done) {
        if (this.#failed) throw this.#error;
        return;
      }
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }
}
