/**
 * cpipe's help text and version.
 */
import { readFileSync } from "node:fs";

/** The full `cpipe --help` text. */
export const HELP = `cpipe: call tool servers over named pipes (like curl, for pipes)

Usage:
  cpipe PIPE CMD [DATA]      send CMD to tool PIPE and print the reply (or stream)
  cpipe PIPE [help]          the tool's description and commands with their arguments
  cpipe --watch PIPE         print "watching PIPE" once subscribed, then every broadcast
                             of PIPE until Ctrl-C
  cpipe --list [DIR]         live tools with description and state, and orphaned pipes
  cpipe --pid [DIR]          the same, plus the processes holding each tool's pipes
  cpipe --clear [DIR]        remove orphaned pipes (never a live one, never another user's)
  cpipe --serve TYPE [OPTS]  run a server: demo, chat, tts, stt, or mcp (wraps an MCP server)
  cpipe mcp [NAME...]        an MCP server over stdio exposing the running tools
  cpipe --tui [--dir DIR]    full-screen dashboard (package named-pipe-tools-dashboard);
                             a bare 'cpipe' on a terminal opens it too
  cpipe --export nats://HOST:PORT --tools a,b   serve local tools to other machines (NATS)
  cpipe nats://HOST:PORT/NAME CMD [DATA]        call a tool on another machine; also
                             --import, --list nats://...: 'cpipe --export --help' for more

PIPE is a tool name (demo -> DIR/tool-demo) or a pipe path (/tmp/tool-demo).
DIR defaults to $PIPE_TOOLS_DIR, else /tmp.

Sending:
  DATA, -d, --data DATA   sent as the request's "data": its JSON value when it parses as
                          JSON, else the text itself; '-' reads it from stdin
  -j, --json OBJECT       JSON object whose fields are merged into the request (last)
  -t, --timeout SECS      wait this long for the first reply [5]; 0 waits forever; a
                          stream that has started is never cut off
  -n, --no-wait           send and exit at once (no subscription, no reply)
  --no-subscribe          send without subscribing (servers reply only to subscribers,
                          so this implies -n)
  --jsonl                 print every message of the reply as one JSON line
  -v, --verbose           log each message sent and received on stderr
  --dir DIR               pipe directory for a bare tool name
  --reference             the tool is a server of the Python reference project (replies
                          carry no ids: one call at a time, answered by the event it
                          expects, never by a broadcast)

Discovery:
  -r, --recursive         also scan the subdirectories of DIR
  -t, --timeout SECS      how long each tool has to answer --list / --pid [0.5]
  --jsonl                 one JSON object per tool or pipe

Serving:
  --serve TYPE            demo, chat, tts, stt or mcp; prints "ready <pipe path>" once
                          serving, stops on Ctrl-C, SIGTERM or 'cpipe NAME stop'
  --name NAME             serve under another name [TYPE]
  --dir DIR               pipe directory to serve in
  --detach                start it in the background and return once it answers ping,
                          printing "ready <pipe path> (pid PID, log FILE)"
  OPTS                    the type's own options: 'cpipe --serve TYPE --help' lists them

Other:
  -h, --help              this help
  --version               print the version

Output: a streamed reply prints its text as it arrives; a one-shot reply prints the event
name when it has no fields (pong, ok), the value of its one field (running), or its fields
as JSON. Broadcasts are not part of a reply (see --watch).

Exit codes: 0 ok; 1 error reply, timeout or no server; 2 bad usage; 130 interrupted.

Examples:
  cpipe --serve demo --detach
  cpipe demo ping                          pong
  cpipe demo echo '{"hello":"world"}'      {"hello":"world"}
  cpipe demo count -j '{"n":5}'            12345
  cpipe demo                               commands and arguments
  cpipe --list
`;

/** The package version, read from package.json. */
export function version(): string {
  try {
    const pkg = JSON.parse(
      readFileSync(new URL("../../../package.json", import.meta.url), "utf8"),
    ) as { version?: unknown };
    return typeof pkg.version === "string" ? pkg.version : "unknown";
  } catch {
    return "unknown";
  }
}
