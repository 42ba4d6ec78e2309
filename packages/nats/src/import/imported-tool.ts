/**
 * `cpipe --import nats://HOST:PORT/NAME [--as LOCAL]`: a remote tool served as a local pipe
 * tool, so that clients that only speak pipes (the Python reference's clients, shell scripts
 * with cpipe) use it unchanged. Every command of the remote tool's interface is forwarded,
 * message by message (streams stay streams); cancelling locally cancels remotely; the remote
 * tool's description, help, config, interface and state are the local tool's; its broadcasts
 * and binary frames are broadcast to the local subscribers, and frames the local clients send
 * go to the remote tool.
 */
import type {
  EventMessage,
  InterfaceSpec,
  RequestContext,
  ToolClient,
  ToolServerOptions,
} from "named-pipe-tools";
import {
  BUILTIN_COMMANDS,
  PipeToolError,
  RemoteError,
  ToolServer,
  isTerminal,
} from "named-pipe-tools";
import { NatsToolClient } from "../client/nats-tool-client.js";
import type { NatsClientOptions } from "../client/options.js";
import { parseNatsUrl } from "../url.js";

/** Options of {@link importTool}. */
export interface ImportOptions extends NatsClientOptions {
  /** The local tool name [the remote name]. */
  as?: string;
  /** Pipe directory to serve in [`$PIPE_TOOLS_DIR`, else /tmp]. */
  dir?: string;
  /** Where diagnostics go [stderr]. */
  log?: ((line: string) => void) | null;
  /** Stop on SIGINT/SIGTERM [true]. */
  handleSignals?: boolean;
}

/** What the remote tool says about itself, read once at import. */
interface RemoteFacts {
  description: string;
  help: string;
  config: Record<string, unknown>;
  state: string;
  iface: InterfaceSpec | undefined;
}

function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}

function fieldsOf(msg: EventMessage): Record<string, unknown> {
  const { event: _e, id: _i, done: _d, ...fields } = msg;
  return fields;
}

async function readFacts(remote: ToolClient): Promise<RemoteFacts> {
  const [desc, help, config, state, listed] = await Promise.all([
    remote.call("get_description"),
    remote.call("get_help"),
    remote.call("get_config"),
    remote.call("get_state"),
    remote.call("list_interfaces"),
  ]);
  const names = Array.isArray(listed["interfaces"]) ? (listed["interfaces"] as unknown[]) : [];
  const own = names.find((n): n is string => typeof n === "string" && n !== "base");
  let iface: InterfaceSpec | undefined;
  if (own !== undefined) {
    const reply = await remote.call("get_interface", { name: own });
    if (typeof reply["interface"] === "object" && reply["interface"] !== null) {
      iface = reply["interface"] as InterfaceSpec;
    }
  }
  return {
    description: str(desc["description"]),
    help: str(help["help"]),
    config: fieldsOf(config),
    state: str(state["state"]) || "running",
    iface,
  };
}

/** A local pipe tool that forwards to a remote one. */
export class ImportedTool extends ToolServer {
  /** The client of the remote tool (closed with this server). */
  readonly remote: ToolClient;
  readonly #iface: InterfaceSpec | undefined;
  #closeAll: Promise<void> | undefined;

  constructor(remote: ToolClient, facts: RemoteFacts, options: ToolServerOptions) {
    super({
      ...options,
      description: facts.description,
      help: facts.help,
      config: () => facts.config,
      initialState: facts.state,
      ...(facts.iface === undefined ? {} : { interfaceName: facts.iface.name }),
    });
    this.remote = remote;
    this.#iface = facts.iface;
    for (const spec of facts.iface?.commands ?? []) {
      const cmd = spec.name.toLowerCase();
      if (BUILTIN_COMMANDS.has(cmd)) continue;
      this.handler(cmd, (args, ctx) => this.#forward(cmd, args, ctx));
    }
    remote.on("*", (msg) => {
      if (msg.event === "disconnected") return;
      if (
        msg.event === "state_changed" &&
        typeof msg["state"] === "string" &&
        msg["state"] !== ""
      ) {
        this.setState(msg["state"]);
      } else this.broadcast(msg.event, fieldsOf(msg));
    });
    remote.onData((payload) => this.broadcastData(payload));
    if (remote.hasData) this.onData((payload) => remote.sendData(payload));
    void remote.closed.then(() => void this.close());
  }

  async #forward(cmd: string, args: Record<string, unknown>, ctx: RequestContext): Promise<void> {
    try {
      // No timeout here: the local caller has its own, and cancels (ctx.signal) when it expires.
      const stream = this.remote.stream(cmd, args, {
        signal: ctx.signal,
        timeoutMs: 2_147_483_647,
      });
      for await (const msg of stream) {
        if (isTerminal(msg))
          ctx.reply(msg.event, {
            ...fieldsOf(msg),
            ...(msg.done === undefined ? {} : { done: msg.done }),
          });
        else ctx.emit(msg.event, fieldsOf(msg));
      }
    } catch (err) {
      if (err instanceof RemoteError) {
        throw new PipeToolError("EREMOTE", err.message, {
          wireCode: err.remoteCode ?? "handler_error",
        });
      }
      throw err;
    }
  }

  /** The remote tool's interface. */
  override interface(): InterfaceSpec {
    return this.#iface ?? super.interface();
  }

  /** Stops serving locally, then closes the remote client. Idempotent. */
  override close(): Promise<void> {
    this.#closeAll ??= super.close().then(() => this.remote.close());
    return this.#closeAll;
  }
}

/**
 * Imports the remote tool `url` names (`nats://HOST:PORT/NAME`) as a local pipe tool and starts
 * serving it.
 * @throws PipeToolError `ENOSERVER` (no NATS server, or no host exports the tool), `EINUSE`
 *   (a live local tool has that name), `EBADNAME`, `EUSAGE`, `EIO`
 */
export async function importTool(url: string, options: ImportOptions = {}): Promise<ImportedTool> {
  const address = parseNatsUrl(url, "required");
  const { as, dir, log, handleSignals, ...clientOptions } = options;
  const remote = await NatsToolClient.connect(url, { data: true, ...clientOptions });
  try {
    const facts = await readFacts(remote);
    const server = new ImportedTool(remote, facts, {
      name: as ?? address.tool!,
      ...(dir === undefined ? {} : { dir }),
      ...(log === undefined ? {} : { log }),
      ...(handleSignals === undefined ? {} : { handleSignals }),
    });
    await server.listen();
    return server;
  } catch (err) {
    await remote.close();
    throw err;
  }
}
