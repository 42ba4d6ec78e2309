/**
 * The workloads a client process runs when the orchestrator asks, and what it answers. Times are
 * in microseconds. `absUs` is CLOCK_MONOTONIC, comparable between processes on one machine.
 */
import type { Conn } from "../families/types.js";

/** A request from the orchestrator to a client process (one JSON line on its stdin). */
export type Op =
  | { op: "ping"; warmup: number; n: number; maxMs: number }
  | { op: "pingFor"; ms: number }
  | { op: "stream"; warmup: number; n: number }
  | { op: "json" | "binary"; bytes: number; warmup: number; n: number }
  | { op: "listen"; total: number }
  | { op: "publish"; warmup: number; n: number }
  | { op: "tokens"; n: number; warmup: number; runs: number }
  | { op: "cpu" };

/** Timed samples of one op. */
export interface Samples {
  samples: number[];
  elapsedMs: number;
}

/** Answer to `stream`. */
export interface StreamResult {
  events: number;
  elapsedMs: number;
}

/** Answer to `listen`, once every broadcast arrived: latency by sequence number, µs. */
export interface ListenResult {
  latencies: number[];
  lastAbsUs: number;
}

/** Answer to `publish`. */
export interface PublishResult extends Samples {
  startAbsUs: number;
}

/** Answer to `cpu`: CPU time (user + system) this process has used, µs. */
export interface CpuAnswer {
  cpu_us: number;
}

/** This process's CPU time so far. */
export function cpuAnswer(): CpuAnswer {
  const { user, system } = process.cpuUsage();
  return { cpu_us: user + system };
}

/** Monotonic time in µs, comparable across processes. */
export function absUs(): number {
  return Number(process.hrtime.bigint()) / 1000;
}

const round = (us: number): number => Math.round(us * 10) / 10;

async function timed(n: number, maxMs: number, fn: () => Promise<void>): Promise<Samples> {
  const samples: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    const end = performance.now();
    samples.push(round((end - t) * 1000));
    if (end - t0 > maxMs && i >= 20) break;
  }
  return { samples, elapsedMs: performance.now() - t0 };
}

function need<K extends keyof Conn>(conn: Conn, key: K): NonNullable<Conn[K]> {
  const fn = conn[key];
  if (fn === undefined) throw new Error(`this transport has no '${key}'`);
  return fn;
}

/** A payload of `bytes` ASCII characters that needs no escaping in JSON. */
function textPayload(bytes: number): string {
  const unit = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-_";
  return unit.repeat(Math.ceil(bytes / unit.length)).slice(0, bytes);
}

/**
 * Runs one op. `listen` answers twice: `{listening: true}` at once, its result later, through
 * `answer`; every other op resolves with its single answer.
 */
export async function runOp(conn: Conn, op: Op, answer: (msg: object) => void): Promise<object> {
  switch (op.op) {
    case "cpu":
      return cpuAnswer();
    case "ping": {
      const ping = () => conn.ping();
      for (let i = 0; i < op.warmup; i++) await ping();
      return timed(op.n, op.maxMs, ping);
    }
    case "pingFor":
      return timed(Number.MAX_SAFE_INTEGER, op.ms, () => conn.ping());
    case "stream": {
      const stream = need(conn, "stream");
      if (op.warmup > 0) await stream.call(conn, op.warmup);
      const t0 = performance.now();
      const events = await stream.call(conn, op.n);
      return { events, elapsedMs: performance.now() - t0 } satisfies StreamResult;
    }
    case "json": {
      const echo = need(conn, "echoJson");
      const data = textPayload(op.bytes);
      for (let i = 0; i < op.warmup; i++) await echo.call(conn, data);
      return timed(op.n, Number.MAX_SAFE_INTEGER, () => echo.call(conn, data));
    }
    case "binary": {
      const echo = need(conn, "echoBinary");
      const data = Buffer.from(textPayload(op.bytes));
      for (let i = 0; i < op.warmup; i++) await echo.call(conn, data);
      return timed(op.n, Number.MAX_SAFE_INTEGER, () => echo.call(conn, data));
    }
    case "tokens": {
      // Samples are µs per token, one per run.
      const tokens = need(conn, "tokens");
      for (let i = 0; i < op.warmup; i++) await tokens.call(conn, op.n);
      const samples: number[] = [];
      const t0 = performance.now();
      for (let i = 0; i < op.runs; i++) {
        const r = await tokens.call(conn, op.n);
        if (r.tokens < op.n) throw new Error(`got ${r.tokens} of ${op.n} tokens`);
        samples.push(round(r.perTokenUs));
      }
      return { samples, elapsedMs: performance.now() - t0 } satisfies Samples;
    }
    case "listen":
      return new Promise<ListenResult>((resolve) => {
        const latencies = new Array<number>(op.total).fill(-1);
        let seen = 0;
        need(conn, "onBroadcast").call(conn, (msg) => {
          const now = absUs();
          const seq = msg["seq"] as number;
          if (latencies[seq] !== -1) return;
          latencies[seq] = round(now - (msg["t"] as number));
          if (++seen === op.total) resolve({ latencies, lastAbsUs: now });
        });
        answer({ listening: true });
      });
    case "publish": {
      const publish = need(conn, "publish");
      let seq = 0;
      const shout = () => publish.call(conn, { seq: seq++, t: absUs() });
      for (let i = 0; i < op.warmup; i++) await shout();
      const startAbsUs = absUs();
      const result = await timed(op.n, Number.MAX_SAFE_INTEGER, shout);
      return { ...result, startAbsUs } satisfies PublishResult;
    }
  }
}
