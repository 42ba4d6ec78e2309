/**
 * A client of a pipe tool on another machine: the core's ToolClient session over a
 * {@link NatsTransport}, so a remote tool has exactly the API of a local one (`call`, `send`,
 * `stream` where `break` cancels, `on`, `sendData`/`onData`, `close`, `closed`). The core's
 * `ToolClient.connect("nats://HOST:PORT/NAME")` comes here too, through {@link natsTransport}.
 */
import { ToolClient } from "named-pipe-tools";
import { NatsTransport } from "./nats-transport.js";
import type { NatsClientOptions, NatsTransportOptions } from "./options.js";

/**
 * The transport to the tool that `url` (`nats://HOST:PORT/NAME`, or `tls://`) names, for
 * `ToolClient.over`. The core loads this function by name for `ToolClient.connect(url)`.
 * @throws PipeToolError `EUSAGE` for a bad address, `EBADNAME`; TypeError for a bad option
 */
export function natsTransport(url: string, options: NatsTransportOptions = {}): NatsTransport {
  return new NatsTransport(url, options);
}

/** Connects to remote tools. */
export const NatsToolClient = {
  /**
   * Connects to the tool that `url` names (`nats://HOST:PORT/NAME`) and checks that some host
   * exports it (a `ping`). The same as the core's `ToolClient.connect(url)`, with the options
   * of NATS (credentials, TLS, subject prefix) too.
   *
   * ```ts
   * await using client = await NatsToolClient.connect("nats://gpu-box:4222/chat");
   * const pong = await client.call("ping");
   * for await (const msg of client.stream("chat", { messages })) console.log(msg);
   * ```
   * @throws PipeToolError `ENOSERVER` when no NATS server answers or no host exports the tool,
   *   `ETIMEDOUT`, `EUSAGE` for a bad address, `EIO` (authentication, TLS)
   */
  async connect(url: string, options: NatsClientOptions = {}): Promise<ToolClient> {
    if (typeof options !== "object" || options === null)
      throw new TypeError("connect options must be an object");
    if ((options as { compat?: unknown }).compat === "reference") {
      throw new TypeError(
        'compat: "reference" is for a local server of the Python project; a remote tool is reached through a gateway',
      );
    }
    return ToolClient.over(natsTransport(url, options), options);
  },
};
