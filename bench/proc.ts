/**
 * Child processes of the bench: every measured peer runs in its own process. A peer talks to the
 * orchestrator in JSON lines (stdin: requests, stdout: answers); readiness is a line, never a
 * sleep.
 */
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { PEER_MAIN } from "./paths.js";

/** How long to wait for any one answer before giving up on a peer, in ms. */
const ANSWER_TIMEOUT_MS = 120_000;

/** A running child process that answers in JSON lines. */
export class Peer {
  readonly label: string;
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #queue: Record<string, unknown>[] = [];
  #waiter: ((msg: Record<string, unknown> | Error) => void) | undefined;
  #stderr = "";
  #exited: Error | undefined;
  readonly #exit: Promise<void>;

  /** Spawns `file args...`; `label` names it in errors. */
  constructor(label: string, file: string, args: readonly string[], env?: NodeJS.ProcessEnv) {
    this.label = label;
    this.#child = spawn(file, args, { stdio: "pipe", env: env ?? process.env });
    this.#child.stderr.setEncoding("utf8");
    this.#child.stderr.on("data", (s: string) => (this.#stderr = (this.#stderr + s).slice(-4000)));
    this.#child.stdin.on("error", () => undefined); // the peer may exit before reading all
    createInterface({ input: this.#child.stdout }).on("line", (line) => {
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(line) as Record<string, unknown>;
      } catch {
        msg = { text: line };
      }
      if (this.#waiter === undefined) this.#queue.push(msg);
      else this.#waiter(msg);
    });
    this.#exit = new Promise((resolve) => {
      this.#child.once("exit", (code, signal) => {
        this.#exited = new Error(
          `${label} exited (${signal ?? String(code)})${this.#stderr === "" ? "" : `: ${this.#stderr.trim()}`}`,
        );
        this.#waiter?.(this.#exited);
        resolve();
      });
    });
  }

  /**
   * Starts `node dist/bench/peer/main.js ...args`; `wrap` puts a command in front (a profiler
   * such as `strace -c`, or `taskset -c 0`), `nodeFlags` go to Node itself.
   */
  static node(
    label: string,
    args: readonly string[],
    options: { wrap?: readonly string[]; nodeFlags?: readonly string[] } = {},
  ): Peer {
    const command = [
      ...(options.wrap ?? []),
      process.execPath,
      ...(options.nodeFlags ?? []),
      PEER_MAIN,
      ...args,
    ];
    return new Peer(label, command[0]!, command.slice(1));
  }

  /** The next JSON line the peer prints. */
  next(timeoutMs = ANSWER_TIMEOUT_MS): Promise<Record<string, unknown>> {
    const queued = this.#queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.#exited !== undefined) return Promise.reject(this.#exited);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined;
        reject(new Error(`${this.label}: no answer within ${timeoutMs} ms. ${this.#stderr}`));
      }, timeoutMs);
      this.#waiter = (msg) => {
        clearTimeout(timer);
        this.#waiter = undefined;
        if (msg instanceof Error) reject(msg);
        else resolve(msg);
      };
    });
  }

  /** Waits for `{"ready":true,...}` and returns it. */
  async ready(): Promise<Record<string, unknown>> {
    const msg = await this.next(30_000);
    if (msg["ready"] !== true)
      throw new Error(`${this.label}: expected ready, got ${JSON.stringify(msg)}`);
    return msg;
  }

  /** Sends one request line. */
  send(msg: object): void {
    this.#child.stdin.write(`${JSON.stringify(msg)}\n`);
  }

  /** Sends a request and returns the next answer. */
  async ask<T>(msg: object): Promise<T> {
    this.send(msg);
    return (await this.next()) as T;
  }

  /**
   * Stops the peer: closes its stdin (peers exit at end of input), then SIGTERM after `graceMs`,
   * then SIGKILL. `graceMs: 0` signals at once.
   */
  async stop(graceMs = 2000): Promise<void> {
    if (this.#exited !== undefined) return;
    this.#child.stdin.end();
    const wait = (ms: number) =>
      Promise.race([this.#exit, new Promise<void>((r) => setTimeout(r, ms).unref())]);
    if (graceMs > 0) await wait(graceMs);
    if (this.#exited === undefined) this.#child.kill("SIGTERM");
    await wait(1000);
    if (this.#exited === undefined) this.#child.kill("SIGKILL");
    await this.#exit;
  }
}

/** Stops every peer, in parallel. */
export async function stopAll(peers: readonly Peer[], graceMs?: number): Promise<void> {
  await Promise.all(peers.map((p) => p.stop(graceMs)));
}
