/**
 * Tools on other machines (`nats://HOST:PORT/NAME`), reached through the optional package
 * named-pipe-tools-nats, loaded only when such a tool is named.
 */
import { PipeToolError } from "named-pipe-tools";
import type { PipeClient } from "./pipe-tool.js";

/** The package that reaches remote tools. */
const NATS_PACKAGE = "named-pipe-tools-nats";

interface NatsModule {
  NatsToolClient: { connect(url: string, options: Record<string, unknown>): Promise<PipeClient> };
}

/**
 * Connects to the remote tool `url` names.
 * @throws PipeToolError `ENOTINSTALLED` when named-pipe-tools-nats is missing
 */
export async function connectRemote(
  url: string,
  options: { timeoutMs: number; callTimeoutMs: number },
): Promise<PipeClient> {
  let mod: NatsModule;
  try {
    mod = (await import(NATS_PACKAGE)) as NatsModule;
  } catch (err) {
    throw new PipeToolError(
      "ENOTINSTALLED",
      `${url} needs the package ${NATS_PACKAGE} (install it beside named-pipe-tools-mcp)`,
      { cause: err },
    );
  }
  return mod.NatsToolClient.connect(url, options);
}
