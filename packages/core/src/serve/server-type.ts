/**
 * The server-type contract: what a package exports as `serverType` so that `cpipe --serve TYPE`
 * (and the dashboard's launch form, and a package's own main) can start it. Every ready-made
 * server and any third-party type has this one shape: declared options, parsed and checked by
 * the core the same way for everyone, then one `start()`.
 */
import type { ToolServer } from "../server/tool-server.js";

/** The kind of value an option takes. */
export type OptionType =
  /** Any non-empty text. */
  | "string"
  /** A finite number. */
  | "number"
  /** A whole number. */
  | "integer"
  /** A switch: `--flag` sets it, `--no-flag` clears it; `true`/`false` in a config file. */
  | "boolean"
  /** Comma-separated text on the command line (`a,b`), an array of strings in a config file. */
  | "list";

/** One option of a server type: `--<flag> VALUE` on the command line, `"<flag>"` in a config file. */
export interface OptionSpec {
  /** The long flag without dashes, kebab-case (`max-tokens`); its key in the parsed options is camelCase (`maxTokens`). */
  flag: string;
  type: OptionType;
  /** One line for `--help` and for forms. */
  description: string;
  /** The value's placeholder in `--help` (`FILE`, `N`) [from the type]. */
  placeholder?: string;
  /** The default the server applies when the option is absent (shown in `--help` and forms; not filled in by the parser). */
  default?: string | number | boolean | readonly string[];
  /** The only values allowed (string options). */
  choices?: readonly string[];
  /** Smallest value allowed (number and integer options). */
  min?: number;
  /** Largest value allowed (number and integer options). */
  max?: number;
  /**
   * The value may be a file or directory path: a relative one in a config file that names
   * something beside the file is taken relative to the file (else it is left as given, so a
   * name that is not a path, such as an upstream model name, passes unchanged).
   */
  path?: boolean;
}

/** Arguments after `--`, for a type that runs a command of its own (`--serve mcp -- CMD ARGS`). */
export interface RestSpec {
  /** Its name in `--help` (`COMMAND`). */
  name: string;
  description: string;
  /** At least one argument is needed [false]. */
  required?: boolean;
}

/** Options every server type takes, whatever its own. */
export interface ServeCommon {
  /** Serve under this tool name instead of the type's. */
  name?: string;
  /** Pipe directory [$PIPE_TOOLS_DIR, else /tmp]. */
  dir?: string;
  /** Where diagnostics go [stderr]. */
  log?: (line: string) => void;
}

/** What `start()` gets: the parsed options (camelCase keys), the common ones, and the rest arguments. */
export type ServeOptions<Options extends object = Record<string, unknown>> = Partial<Options> &
  ServeCommon & {
    /** Arguments after `--` (only for a type with {@link ServerType.rest}). */
    rest?: string[];
  };

/** A server type as `cpipe --serve TYPE`, the dashboard and server mains use it. */
export interface ServerType<Options extends object = Record<string, unknown>> {
  /** Type name (`demo`, `chat`, ...), also the default tool name. */
  name: string;
  /** One line. */
  description: string;
  /** Its own options (`--name`, `--dir`, `--config` and `--help` are common to all). */
  options: readonly OptionSpec[];
  /** Arguments after `--`, when the type takes them. */
  rest?: RestSpec;
  /**
   * Creates the server, listens, and resolves once it serves (closing it again if it cannot).
   * Each option has been checked against its {@link OptionSpec}; what depends on several
   * options is checked here, with a `PipeToolError` `EUSAGE` naming them (exit 2 in cpipe).
   */
  start(options: ServeOptions<Options>): Promise<ToolServer>;
}
