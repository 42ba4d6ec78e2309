/**
 * A `ping` of a remote tool, straight on NATS (outside any session): whether some host exports
 * the tool, and which gateway answered (the one that takes this client's binary frames).
 */
import type { NatsConnection } from "nats";
import { PipeToolError } from "named-pipe-tools";
import type { ToolSubjects } from "../subjects.js";
import { FAIL_HEADER, GATEWAY_HEADER, decodeText, encodeJson, failCode } from "../wire.js";

/** How a ping went: the gateway that answered, no host at all, or no answer in time. */
export type PingAnswer = { gateway: string | undefined } | "none" | "timeout";

/**
 * Pings the tool on `subjects`.
 * @throws PipeToolError the failure the exporting host reported, `EIO` for any other
 */
export async function pingTool(
  nc: NatsConnection,
  subjects: ToolSubjects,
  timeoutMs: number,
): Promise<PingAnswer> {
  let reply;
  try {
    reply = await nc.request(subjects.command("ping"), encodeJson({}), { timeout: timeoutMs });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === "503") return "none"; // nothing subscribes: no host exports the tool
    if (code === "TIMEOUT") return "timeout";
    throw new PipeToolError("EIO", `a ping over NATS failed: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const failed = reply.headers?.get(FAIL_HEADER);
  if (failed !== undefined && failed !== "") {
    throw new PipeToolError(failCode(failed), decodeText(reply.data));
  }
  const gateway = reply.headers?.get(GATEWAY_HEADER);
  return { gateway: gateway === undefined || gateway === "" ? undefined : gateway };
}
