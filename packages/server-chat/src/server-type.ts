/**
 * The server type that `cpipe --serve chat [options]` loads.
 */
import type { ServerType } from "named-pipe-tools";
import type { ChatConfig } from "./config.js";
import { CHAT_OPTIONS, checkChatConfig } from "./config.js";
import { startChatServer } from "./create.js";

/** `cpipe --serve chat`: an LLM chat server (node-llama-cpp or an OpenAI-compatible endpoint). */
export const serverType: ServerType<ChatConfig> = {
  name: "chat",
  description: "LLM chat: a local GGUF model (node-llama-cpp) or an OpenAI-compatible endpoint",
  options: CHAT_OPTIONS,
  start: ({ log, ...options }) =>
    startChatServer(checkChatConfig(options), log === undefined ? {} : { log }),
};
