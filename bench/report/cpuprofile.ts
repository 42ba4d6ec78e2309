/**
 * A text summary of a V8 CPU profile (`node --cpu-prof`): where the sampled time went, by kind
 * (idle, garbage collection, native code, Node's own JavaScript, ours, the bench's) and by the
 * functions with the most self time.
 */

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
}

/** The parts of a `.cpuprofile` this summary reads. */
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

/** The kind of code a frame belongs to. */
function kindOf(frame: CallFrame): string {
  const name = frame.functionName;
  if (name === "(idle)") return "idle (waiting in epoll)";
  if (name === "(garbage collector)") return "garbage collector";
  if (name === "(program)" || name === "(root)") return "native (V8, libuv, syscalls)";
  if (frame.url.startsWith("node:")) return "Node's JavaScript (node:*)";
  if (frame.url.includes("/packages/core/")) return "named-pipe-tools";
  if (frame.url.includes("/bench/")) return "bench harness";
  if (frame.url === "") return "native (V8, libuv, syscalls)";
  return "other JavaScript";
}

function label(frame: CallFrame): string {
  const file = frame.url.replace(/^file:\/\/.*\/(packages\/|bench\/)/, "$1");
  return `${frame.functionName || "(anonymous)"} ${file}:${frame.lineNumber + 1}`;
}

/** Self time per node id in µs, from the samples and their time deltas. */
function selfTimes(profile: CpuProfile): Map<number, number> {
  const out = new Map<number, number>();
  const { samples, timeDeltas } = profile;
  if (samples === undefined || timeDeltas === undefined) {
    const total = profile.endTime - profile.startTime;
    const hits = profile.nodes.reduce((n, node) => n + (node.hitCount ?? 0), 0);
    for (const node of profile.nodes) out.set(node.id, ((node.hitCount ?? 0) * total) / hits);
    return out;
  }
  for (let i = 0; i < samples.length; i++) {
    // A sample's time is the delta to the next one.
    const dt = timeDeltas[i + 1] ?? 0;
    out.set(samples[i]!, (out.get(samples[i]!) ?? 0) + dt);
  }
  return out;
}

/**
 * Summarizes `profile`: shares by kind, then the `top` functions by self time. With `ops` > 0,
 * busy time is also given per operation.
 */
export function summarizeProfile(profile: CpuProfile, ops: number, top = 15): string {
  const self = selfTimes(profile);
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const byKind = new Map<string, number>();
  const byFn = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of self) {
    const frame = byNode.get(id)!.callFrame;
    const kind = kindOf(frame);
    total += us;
    if (kind.startsWith("idle")) idle += us;
    byKind.set(kind, (byKind.get(kind) ?? 0) + us);
    if (!kind.startsWith("idle")) byFn.set(label(frame), (byFn.get(label(frame)) ?? 0) + us);
  }
  const busy = total - idle;
  const pct = (us: number): string => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
  const lines = [
    `sampled ${(total / 1000).toFixed(0)} ms, busy ${(busy / 1000).toFixed(0)} ms` +
      (ops > 0 ? ` (${(busy / ops).toFixed(2)} us busy per operation)` : ""),
  ];
  for (const [kind, us] of [...byKind].sort((a, b) => b[1] - a[1])) {
    lines.push(`  ${pct(us)}  ${kind}`);
  }
  lines.push(`  top ${top} functions by self time:`);
  for (const [fn, us] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    lines.push(`  ${pct(us)}  ${fn}`);
  }
  return lines.join("\n");
}
