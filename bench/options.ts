/**
 * Command-line options of `npm run bench`.
 */
import { parseArgs } from "node:util";

/** Parsed options. */
export interface BenchOptions {
  quick: boolean;
  /** Where to write the results JSON, if anywhere. */
  json: string | undefined;
  /** Where to write the SVG chart, if anywhere. */
  svg: string | undefined;
  /** Case names to run (all when undefined). */
  only: string[] | undefined;
  rounds: number;
  /** Rewrite the results block of README.md. */
  readme: boolean;
  list: boolean;
  help: boolean;
}

/** Usage text. */
export const USAGE = `usage: npm run bench -- [options]

  --quick         short version (2 rounds, fewer iterations, no 64-client cases): checks that
                  the bench works; its numbers are rough
  --only A,B      run only these cases (see --list)
  --rounds N      interleaved rounds [5; 2 with --quick]
  --json PATH     write the results as JSON [bench/results/latest.json on a full run]
  --svg PATH      write the chart as SVG [bench/results/latest.svg on a full run]
  --readme        rewrite the results block of bench/README.md from this run
  --list          list the cases and exit
  -h, --help      this text

A full run (no --quick, no --only) writes the default JSON and SVG; other runs write only the
paths given.`;

/** Parses `argv` (without node and the script). */
export function parseOptions(
  argv: string[],
  defaults: { json: string; svg: string },
): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: "boolean", default: false },
      json: { type: "string" },
      svg: { type: "string" },
      only: { type: "string" },
      rounds: { type: "string" },
      readme: { type: "boolean", default: false },
      list: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const quick = values.quick === true;
  const only = values.only
    ?.split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  const rounds = values.rounds === undefined ? (quick ? 2 : 5) : Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) {
    throw new TypeError(`--rounds must be a positive integer, got ${values.rounds}`);
  }
  const full = !quick && only === undefined;
  return {
    quick,
    json: values.json ?? (full ? defaults.json : undefined),
    svg: values.svg ?? (full ? defaults.svg : undefined),
    only,
    rounds,
    readme: values.readme === true,
    list: values.list === true,
    help: values.help === true,
  };
}
