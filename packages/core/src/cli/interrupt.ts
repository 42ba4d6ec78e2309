/**
 * Ctrl-C and SIGTERM: the first one aborts what cpipe is doing so it can cancel its request,
 * unsubscribe and remove its pipes before exiting 130 (143 for SIGTERM); a second one exits at
 * once (the client's exit hook still removes its pipes).
 */
import type { ErrorContext } from "./errors.js";
import { ExitCode, describeFailure, printError } from "./errors.js";

/** A handle on the signals of one cpipe run. */
export interface Interrupt {
  /** Aborted on the first SIGINT or SIGTERM. */
  readonly signal: AbortSignal;
  /** The exit code for the signal received, or undefined when none came. */
  exitCode(): number | undefined;
  /** Resolves when a signal arrives. */
  readonly fired: Promise<void>;
  /** Removes the handlers. */
  dispose(): void;
}

/** Installs SIGINT/SIGTERM handlers for the rest of the run. */
export function trapInterrupts(): Interrupt {
  const controller = new AbortController();
  let code: number | undefined;
  let fire!: () => void;
  const fired = new Promise<void>((resolve) => (fire = resolve));
  const handler = (signal: NodeJS.Signals): void => {
    if (code !== undefined) process.exit(code); // second signal: give up cleaning
    code = signal === "SIGTERM" ? ExitCode.Terminated : ExitCode.Interrupted;
    controller.abort(new Error(signal === "SIGTERM" ? "terminated" : "interrupted"));
    fire();
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return {
    signal: controller.signal,
    exitCode: () => code,
    fired,
    dispose: () => {
      process.off("SIGINT", handler);
      process.off("SIGTERM", handler);
    },
  };
}

/** The line printed for an interrupt exit code. */
export function interruptLine(code: number): string {
  return code === ExitCode.Terminated ? "terminated" : "interrupted";
}

/**
 * Reports a failed run: `interrupted`/`terminated` when a signal caused it, else the error's one
 * line. Returns the exit code.
 */
export function reportFailure(err: unknown, ctx: ErrorContext, interrupt: Interrupt): number {
  const signalled = interrupt.exitCode();
  if (signalled !== undefined) {
    printError(interruptLine(signalled));
    return signalled;
  }
  const { code, line } = describeFailure(err, ctx);
  printError(line);
  return code;
}

/**
 * For commands with nothing to cancel (discovery): Ctrl-C or SIGTERM exits at once, through
 * `process.exit`, so the exit hooks still remove any client pipes.
 */
export function exitOnInterrupt(): void {
  const handler = (signal: NodeJS.Signals): void => {
    const code = signal === "SIGTERM" ? ExitCode.Terminated : ExitCode.Interrupted;
    process.stderr.write(`cpipe: ${interruptLine(code)}\n`);
    process.exit(code);
  };
  process.once("SIGINT", handler);
  process.once("SIGTERM", handler);
}
