/**
 * One call of a NatsToolClient as a promise of its final reply: stream items go to `onEvent`,
 * the timeout covers the wait for the first message, aborting cancels on the tool's machine.
 */
import type { CallOptions, EventMessage } from "named-pipe-tools";
import { PipeToolError, RemoteError, isTerminal } from "named-pipe-tools";
import type { Pending } from "./pending.js";

/** What a call needs from its client. */
export interface CallHost {
  readonly name: string;
  /** Registers `entry` and sends the request; returns its id. Throws when it cannot be sent. */
  request(cmd: string, args: Record<string, unknown> | undefined, entry: Pending): string;
  /** Forgets request `id` and cancels it on the tool's machine. */
  cancel(id: string): void;
  /** Forgets request `id`. */
  forget(id: string): void;
}

/** Runs one call; `onGateway` learns which gateway answered. */
export function runCall(
  host: CallHost,
  cmd: string,
  args: Record<string, unknown> | undefined,
  options: CallOptions & { timeoutMs: number },
  onGateway?: (id: string) => void,
): Promise<EventMessage> {
  return new Promise((resolve, reject) => {
    const { signal, onEvent, timeoutMs } = options;
    let timer: NodeJS.Timeout | undefined;
    let id = "";
    const cleanup = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      host.forget(id);
    };
    const aborted = (): PipeToolError =>
      new PipeToolError("EABORTED", `call '${cmd}' was aborted`, { cause: signal?.reason });
    const onAbort = (): void => {
      cleanup();
      host.cancel(id);
      reject(aborted());
    };
    if (signal?.aborted === true) return reject(aborted());
    const entry: Pending = {
      cmd,
      since: 0,
      gateway: undefined,
      onMessage: (msg) => {
        if (entry.gateway !== undefined) onGateway?.(entry.gateway);
        clearTimeout(timer); // the timeout covers only the wait for the first message
        if (!isTerminal(msg)) return onEvent?.(msg);
        cleanup();
        if (msg.event === "error") reject(new RemoteError(msg));
        else resolve(msg);
      },
      fail: (err) => {
        cleanup();
        reject(err);
      },
    };
    try {
      id = host.request(cmd, args, entry);
    } catch (err) {
      return reject(err instanceof Error ? err : new Error(String(err)));
    }
    timer = setTimeout(() => {
      cleanup();
      host.cancel(id);
      reject(
        new PipeToolError(
          "ETIMEDOUT",
          `no reply to '${cmd}' from tool '${host.name}' over NATS within ${timeoutMs} ms`,
        ),
      );
    }, timeoutMs);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
