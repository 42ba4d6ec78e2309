/**
 * Ctrl-C and SIGTERM for cpipe's NATS commands: the first one aborts (so a call is cancelled on
 * the tool's machine, and a gateway withdraws its tools), a second one exits at once.
 */

/** Exit codes, as cpipe's. */
export const Exit = { Ok: 0, Failed: 1, Usage: 2, Interrupted: 130, Terminated: 143 } as const;

/** A handle on the signals of one run. */
export interface Interrupt {
  readonly signal: AbortSignal;
  /** The exit code of the signal received, or undefined. */
  code(): number | undefined;
  dispose(): void;
}

/** Installs SIGINT/SIGTERM handlers until `dispose()`. */
export function trapSignals(): Interrupt {
  const controller = new AbortController();
  let code: number | undefined;
  const handler = (signal: NodeJS.Signals): void => {
    if (code !== undefined) process.exit(code);
    code = signal === "SIGTERM" ? Exit.Terminated : Exit.Interrupted;
    controller.abort(new Error(signal === "SIGTERM" ? "terminated" : "interrupted"));
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return {
    signal: controller.signal,
    code: () => code,
    dispose: () => {
      process.off("SIGINT", handler);
      process.off("SIGTERM", handler);
    },
  };
}

/** Resolves when `signal` aborts. */
export function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}
