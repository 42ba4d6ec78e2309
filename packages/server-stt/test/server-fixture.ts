/**
 * Starts an in-process stt server in a fresh pipe directory and connects a client to it.
 */
import type { TestContext } from "node:test";
import { ToolClient } from "named-pipe-tools";
import { tempDir } from "named-pipe-tools-testkit";
import type { SttServerOptions } from "../src/stt-server.js";
import { createSttServer } from "../src/stt-server.js";
import { EventLog } from "./stt-helpers.js";

/** A JSGF grammar of the test sentences. */
export const TEST_GRAMMAR = `#JSGF V1.0;
grammar house;
public <command> = <action> the <room> light | what time is it | stop the music;
<action> = turn on | turn off;
<room> = kitchen | bedroom | garden;
`;

/** The server, a subscribed client with a data channel, and its event log. */
export interface Fixture {
  dir: string;
  client: ToolClient;
  log: EventLog;
  close(): Promise<void>;
}

/** Creates, starts and loads a server, then connects a client (both closed after the test). */
export async function startStt(t: TestContext, options: SttServerOptions): Promise<Fixture> {
  const dir = await tempDir(t, "stt-");
  const { server, ready } = await createSttServer({
    log: null,
    handleSignals: false,
    ...options,
    dir,
  });
  await server.listen();
  const closeServer = (): Promise<void> => server.close();
  t.after(closeServer);
  await ready;
  const client = await ToolClient.connect("stt", { dir, data: true, callTimeoutMs: 60_000 });
  t.after(() => client.close());
  return { dir, client, log: new EventLog(client), close: closeServer };
}
