/**
 * The server-type entry that `cpipe --serve chat [options]` loads.
 */
import type { ServerType } from "named-pipe-tools";
import { CHAT_USAGE, parseChatArgs } from "./config.js";
import { startChatServer } from "./create.js";

/** `cpipe --serve chat`: an LLM chat server (node-llama-cpp or an OpenAI-compatible endpoint). */
export const serverType: ServerType = {
  name: "chat",
  description: "LLM chat: a local GGUF model (node-llama-cpp) or an OpenAI-compatible endpoint",
  usage: CHAT_USAGE,
  async start(args, common) {
    const config = parseChatArgs(args);
    if (common.name !== undefined) config.name ??= common.name;
    if (common.dir !== undefined) config.dir ??= common.dir;
    return startChatServer(config, common.log === undefined ? {} : { log: common.log });
  },
};
