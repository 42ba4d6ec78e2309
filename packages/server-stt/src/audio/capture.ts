/**
 * Microphone capture by spawning a capture program (parec, arecord or sox) that writes 16 kHz
 * mono s16le to its stdout. No native addons.
 */
import type { ChildProcessByStdio } from "node:child_process";
import { spawn } from "node:child_process";
import type { Readable } from "node:stream";
import { SttError } from "../errors.js";
import { s16leToSamples } from "./pcm.js";
import type { CaptureBackend } from "./devices.js";

/** What a running capture reports. */
export interface CaptureHandlers {
  /** Each chunk of samples. */
  onAudio(samples: Int16Array): void;
  /** The program stopped by itself (not through `stop()`); `error` says why. */
  onFailure(error: SttError): void;
}

/** The command line that captures from `device` (undefined: the default input). */
export function captureCommand(
  backend: CaptureBackend,
  device: string | undefined,
): [string, string[]] {
  switch (backend) {
    case "parec":
      return [
        "parec",
        [
          "--raw",
          "--format=s16le",
          "--rate=16000",
          "--channels=1",
          "--latency-msec=30",
          ...(device ? ["-d", device] : []),
        ],
      ];
    case "arecord":
      return [
        "arecord",
        [
          "-q",
          "-t",
          "raw",
          "-f",
          "S16_LE",
          "-r",
          "16000",
          "-c",
          "1",
          ...(device ? ["-D", device] : []),
        ],
      ];
    case "sox":
      return [
        "sox",
        [
          "-q",
          ...(device ? ["-t", "alsa", device] : ["-d"]),
          "-t",
          "raw",
          "-r",
          "16000",
          "-c",
          "1",
          "-b",
          "16",
          "-e",
          "signed",
          "-L",
          "-",
        ],
      ];
  }
}

/** A running capture program. */
export class Capture {
  readonly #child: ChildProcessByStdio<null, Readable, Readable>;
  #odd: Buffer | undefined;
  #stopped = false;
  #stderr = "";
  readonly #outcome: Promise<void>;
  #settle: () => void = () => {};

  constructor(backend: CaptureBackend, device: string | undefined, handlers: CaptureHandlers) {
    const [program, args] = captureCommand(backend, device);
    this.#outcome = new Promise((resolve) => (this.#settle = resolve));
    this.#child = spawn(program, args, { stdio: ["ignore", "pipe", "pipe"] });
    this.#child.stdout.on("data", (chunk: Buffer) => {
      const bytes = this.#odd === undefined ? chunk : Buffer.concat([this.#odd, chunk]);
      this.#odd = bytes.length % 2 === 1 ? bytes.subarray(bytes.length - 1) : undefined;
      this.#settle();
      if (!this.#stopped) handlers.onAudio(s16leToSamples(bytes));
    });
    this.#child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-4096);
    });
    const where = device === undefined ? "the default input" : `'${device}'`;
    this.#child.once("error", (err) => {
      if (this.#stopped) return;
      this.#stopped = true;
      this.#settle();
      handlers.onFailure(
        new SttError("ECAPTURE", `cannot run ${program} to capture ${where}: ${err.message}`, {
          cause: err,
        }),
      );
    });
    this.#child.once("close", (code, signal) => {
      if (this.#stopped) return;
      this.#stopped = true;
      this.#settle();
      const why = this.#stderr.trim().split("\n").at(-1) ?? "";
      handlers.onFailure(
        new SttError(
          "ECAPTURE",
          `${program} stopped capturing ${where} (${code ?? signal})${why ? `: ${why}` : ""}; list_devices shows the inputs, set_device picks one, and --input data takes audio from clients instead`,
        ),
      );
    });
  }

  /**
   * Resolves once the program delivered its first audio or failed (after `onFailure` ran), or
   * after `ms` without either.
   */
  async confirmed(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.#outcome,
      new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))),
    ]);
    clearTimeout(timer);
  }

  /** Stops capturing. */
  stop(): void {
    this.#settle();
    if (this.#stopped) return;
    this.#stopped = true;
    this.#child.kill("SIGTERM");
  }
}
