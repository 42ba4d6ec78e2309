/**
 * `cpipe --serve demo`: the demo tool as a server type.
 */
import type { ServerType } from "../serve/server-type.js";
import { createDemoServer } from "./demo-server.js";

/** The demo server type: no options of its own. */
export const serverType: ServerType = {
  name: "demo",
  description: "the demo tool: echo, count (streaming), sleep, fail, shout, binary echo",
  options: [],
  start: ({ name, dir, log }) =>
    createDemoServer({
      ...(name === undefined ? {} : { name }),
      ...(dir === undefined ? {} : { dir }),
      ...(log === undefined ? {} : { log }),
    }).listen(),
};
