/**
 * `named-pipe-tools/demo`: the demo tool (echo, count, sleep, fail, shout, binary echo), for
 * trying the library, for tests and for benchmarks. Kept out of the main entry point.
 * @packageDocumentation
 */
export { createDemoServer } from "./demo-server.js";
export { serverType } from "./server-type.js";
