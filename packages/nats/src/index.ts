/**
 * named-pipe-tools-nats: pipe tools across machines over NATS.
 * - {@link NatsGateway} (`cpipe --export`): local pipe tools served as NATS services;
 * - {@link NatsToolClient} (`cpipe nats://HOST:PORT/NAME CMD`): a remote tool as a core
 *   ToolClient, over a {@link NatsTransport} (also what the core's `ToolClient.connect` of a
 *   `nats://` address uses, through {@link natsTransport});
 * - {@link importTool} (`cpipe --import`): a remote tool served as a local pipe tool;
 * - {@link listRemoteTools} (`cpipe --list nats://HOST:PORT`): discovery through the services API;
 * - {@link runNatsCli}: the cpipe commands above.
 * @packageDocumentation
 */
export { NatsToolClient, natsTransport } from "./client/nats-tool-client.js";
export { NatsTransport } from "./client/nats-transport.js";
export type { NatsClientOptions, NatsTransportOptions } from "./client/options.js";
export { NatsGateway } from "./gateway/gateway.js";
export type { GatewayOptions } from "./gateway/gateway.js";
export { ExportedTool } from "./gateway/exported-tool.js";
export { EXPORTED_BUILTINS } from "./gateway/describe.js";
export { ImportedTool, importTool } from "./import/imported-tool.js";
export type { ImportOptions } from "./import/imported-tool.js";
export { listRemoteTools } from "./discovery.js";
export type { RemoteTool } from "./discovery.js";
export { openNats } from "./auth.js";
export type { NatsAuthOptions, NatsTlsOptions, OpenNatsOptions } from "./auth.js";
export { isNatsUrl, parseNatsUrl, redact } from "./url.js";
export type { NatsAddress } from "./url.js";
export { DEFAULT_PREFIX, DEFAULT_QUEUE, ToolSubjects, toolToken } from "./subjects.js";
export { isNatsCommand, runNatsCli } from "./cli/run.js";
