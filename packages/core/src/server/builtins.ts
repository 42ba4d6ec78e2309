/**
 * The built-in commands every server answers (see PROTOCOL.md), except `subscribe`, which the
 * server handles itself because later requests of the same sender wait for it.
 */
import type { RequestId } from "../protocol/messages.js";
import { WireErrorCode } from "../protocol/messages.js";
import type { InterfaceSpec } from "../schema/interface.js";
import { BASE_INTERFACE } from "../schema/interface.js";
import { errorFields, ours } from "./error-reply.js";
import type { Sender } from "./types.js";

/** One built-in command. */
export type Builtin = (
  sender: Sender,
  msg: Record<string, unknown>,
  id: RequestId | undefined,
) => void | Promise<void>;

/** What the built-ins need from the server. */
export interface BuiltinHost {
  readonly state: string;
  readonly description: string;
  help(): string;
  config(): Record<string, unknown>;
  /** Name of the tool's own interface, or undefined when it has no commands. */
  interfaceName(): string | undefined;
  ownInterface(): InterfaceSpec;
  reply: (
    to: Sender,
    event: string,
    fields: Record<string, unknown> | undefined,
    id: RequestId | undefined,
  ) => void;
  unsubscribe(sender: Sender): Promise<void>;
  /** Cancels `sender`'s requests with id `target` (all when undefined); returns how many. */
  cancel(sender: Sender, target: unknown): number;
  stop(): void;
}

/**
 * Names of the built-in commands every server answers (`subscribe`, `ping`, `get_state`, ...);
 * a handler cannot take one of these names.
 */
export const BUILTIN_COMMANDS: ReadonlySet<string> = new Set(
  BASE_INTERFACE.commands.map((c) => c.name),
);

/** Creates the built-in command table. */
export function createBuiltins(host: BuiltinHost): Record<string, Builtin> {
  const { reply } = host;
  return {
    unsubscribe: async (sender, _msg, id) => {
      if (id !== undefined) reply(sender, "ok", undefined, id);
      await host.unsubscribe(sender);
    },
    ping: (sender, _msg, id) => reply(sender, "pong", undefined, id),
    get_state: (sender, _msg, id) => reply(sender, "state", { state: host.state }, id),
    get_description: (sender, _msg, id) =>
      reply(sender, "description", { description: host.description }, id),
    get_help: (sender, _msg, id) => reply(sender, "help", { help: host.help() }, id),
    get_config: (sender, _msg, id) => reply(sender, "config", host.config(), id),
    list_interfaces: (sender, _msg, id) => {
      const own = host.interfaceName();
      reply(sender, "interfaces", { interfaces: own === undefined ? ["base"] : ["base", own] }, id);
    },
    get_interface: (sender, msg, id) => {
      // `cpipe tool get_interface chat` (ours or the reference's) sends the name as `data`.
      const given = msg["name"] ?? (typeof msg["data"] === "string" ? msg["data"] : undefined);
      const name = given === undefined || given === "" ? "base" : given;
      if (name === "base") return reply(sender, "interface", { interface: BASE_INTERFACE }, id);
      if (name === host.interfaceName())
        return reply(sender, "interface", { interface: host.ownInterface() }, id);
      const message = `unknown interface '${typeof name === "string" ? name : JSON.stringify(name)}'`;
      reply(sender, "error", errorFields(message, WireErrorCode.BadArgs, ours(sender, id)), id);
    },
    cancel: (sender, msg, id) => {
      reply(sender, "cancelled", { cancelled: host.cancel(sender, msg["target"]) }, id);
    },
    stop: (sender, _msg, id) => {
      if (id !== undefined) reply(sender, "ok", undefined, id);
      host.stop();
    },
  };
}
