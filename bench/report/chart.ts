/**
 * A dependency-free SVG bar chart of the results: one panel per group, our bars highlighted.
 * Round-trip latency uses a log scale; throughput panels are linear.
 */
import type { BenchCase, Group } from "../cases/types.js";
import type { MachineInfo } from "../machine.js";
import type { ResultMap } from "./compare.js";

interface Panel {
  title: string;
  groups: Group[];
  pick: (r: { p50_us?: number; ops_per_s?: number; mb_per_s?: number }) => number | undefined;
  unit: string;
  log: boolean;
}

const PANELS: Panel[] = [
  {
    title: "Round trip of a small JSON request: p50, lower is better (log scale)",
    groups: ["latency"],
    pick: (r) => r.p50_us,
    unit: "us",
    log: true,
  },
  {
    title: "The same round trips with both processes on one CPU: p50 (log scale)",
    groups: ["latency-pinned"],
    pick: (r) => r.p50_us,
    unit: "us",
    log: true,
  },
  {
    title: "Streamed events per second to one client: higher is better",
    groups: ["stream"],
    pick: (r) => r.ops_per_s,
    unit: "/s",
    log: false,
  },
  {
    title: "Many client processes: requests per second, higher is better",
    groups: ["clients"],
    pick: (r) => r.ops_per_s,
    unit: "/s",
    log: false,
  },
  {
    title: "1 MiB echo: MB/s both ways, higher is better",
    groups: ["bulk"],
    pick: (r) => r.mb_per_s,
    unit: " MB/s",
    log: false,
  },
  {
    title: "Chat tokens from the test model: time per token, lower is better",
    groups: ["model"],
    pick: (r) => r.p50_us,
    unit: "us",
    log: false,
  },
  {
    title: "Process wall time: p50, lower is better",
    groups: ["startup"],
    pick: (r) => r.p50_us,
    unit: "us",
    log: false,
  },
];

const WIDTH = 820;
const LABEL_W = 180;
const BAR_W = 500;
const ROW_H = 20;
const OURS = "#d9480f";
const OTHER = "#868e96";

function esc(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

function fmtValue(v: number, unit: string, tick = false): string {
  if (unit === "us" && tick) return v >= 1000 ? `${v / 1000} ms` : `${v} us`;
  if (unit === "us") {
    return v >= 10_000
      ? `${(v / 1000).toFixed(1)} ms`
      : `${v >= 100 ? Math.round(v) : v.toFixed(1)} us`;
  }
  if (unit === "/s") return `${Math.round(v).toLocaleString("en-US")}/s`;
  return `${v.toFixed(1)}${unit}`;
}

/** Renders the chart. */
export function renderSvg(
  cases: readonly BenchCase[],
  results: ResultMap,
  machine: MachineInfo,
): string {
  const out: string[] = [];
  let y = 58;
  for (const panel of PANELS) {
    const rows = cases
      .filter((c) => panel.groups.includes(c.group))
      .map((c) => ({ c, v: panel.pick(results.get(c.name) ?? {}) }))
      .filter((r): r is { c: BenchCase; v: number } => r.v !== undefined && r.v > 0);
    if (rows.length === 0) continue;
    out.push(`<text x="10" y="${y}" class="panel">${esc(panel.title)}</text>`);
    y += 10;
    const max = Math.max(...rows.map((r) => r.v));
    const min = Math.min(...rows.map((r) => r.v));
    const lo = panel.log ? 10 ** Math.floor(Math.log10(min)) : 0;
    const hi = panel.log ? 10 ** Math.ceil(Math.log10(max)) : max;
    const scale = (v: number) =>
      panel.log
        ? ((Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo) || 1)) * BAR_W
        : (v / hi) * BAR_W;
    if (panel.log) {
      for (let d = lo; d <= hi * 1.0001; d *= 10) {
        const x = LABEL_W + scale(d);
        const h = rows.length * ROW_H;
        out.push(
          `<line x1="${x.toFixed(1)}" y1="${y}" x2="${x.toFixed(1)}" y2="${y + h}" class="grid"/>`,
        );
        out.push(
          `<text x="${x.toFixed(1)}" y="${y + h + 11}" class="tick">${fmtValue(d, panel.unit, true)}</text>`,
        );
      }
    }
    for (const { c, v } of rows) {
      const w = Math.max(1, scale(v));
      out.push(`<text x="${LABEL_W - 8}" y="${y + 14}" class="label">${esc(c.name)}</text>`);
      out.push(
        `<rect x="${LABEL_W}" y="${y + 3}" width="${w.toFixed(1)}" height="${ROW_H - 6}" fill="${c.ours ? OURS : OTHER}"><title>${esc(c.what)}</title></rect>`,
      );
      out.push(
        `<text x="${(LABEL_W + w + 6).toFixed(1)}" y="${y + 14}" class="value">${fmtValue(v, panel.unit)}</text>`,
      );
      y += ROW_H;
    }
    y += panel.log ? 40 : 26;
  }
  const subtitle = `${machine.date.slice(0, 10)} - ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, ${machine.os}`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${y}" viewBox="0 0 ${WIDTH} ${y}" font-family="Helvetica, Arial, sans-serif">`,
    "<style>",
    ".title{font-size:16px;font-weight:bold}.sub{font-size:11px;fill:#495057}",
    ".panel{font-size:13px;font-weight:bold}.label{font-size:12px;text-anchor:end;font-family:monospace}",
    ".value{font-size:11px;fill:#212529}.tick{font-size:10px;fill:#868e96;text-anchor:middle}",
    ".grid{stroke:#dee2e6;stroke-width:1}",
    "</style>",
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="10" y="22" class="title">named-pipe-tools bench: ours (orange) against the alternatives (grey)</text>`,
    `<text x="10" y="40" class="sub">${esc(subtitle)}</text>`,
    ...out,
    "</svg>",
    "",
  ].join("\n");
}
