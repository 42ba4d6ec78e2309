/**
 * `cpipe --serve demo`: the demo tool as a server type.
 */
import type { ToolServer } from "../server/tool-server.js";
import { createDemoServer } from "./demo-server.js";

/** The demo server type (see src/cli/servers.ts for the contract). */
export const serverType = {
  name: "demo",
  description: "the demo tool: echo, count (streaming), sleep, fail, shout, binary echo",
  usage: "cpipe --serve demo [--name NAME] [--dir DIR]   (no options of its own)",
  async start(
    args: string[],
    common: { name?: string; dir?: string; log?: (line: string) => void },
  ): Promise<ToolServer> {
    if (args.length > 0) {
      throw new TypeError(`--serve demo takes no options of its own, got '${args[0]}'`);
    }
    const server = createDemoServer({
      ...(common.name === undefined ? {} : { name: common.name }),
      ...(common.dir === undefined ? {} : { dir: common.dir }),
      ...(common.log === undefined ? {} : { log: common.log }),
    });
    return server.listen();
  },
};
