/**
 * named-pipe-tools-chat: the ready-made `chat` tool server.
 * @packageDocumentation
 */
export { serverType } from "./server-type.js";
export { createChatServer, startChatServer, createBackend } from "./create.js";
export type { CreateOptions } from "./create.js";
export { ChatServer } from "./chat-server.js";
export type { ChatServerOptions, ChatState, Usage } from "./chat-server.js";
export { CHAT_OPTIONS, checkChatConfig } from "./config.js";
export type { ChatConfig } from "./config.js";
export { ChatServerError } from "./errors.js";
export type { ChatErrorCode } from "./errors.js";
export type {
  ChatBackend,
  ChatMessage,
  FinishReason,
  GenerateRequest,
  GenerateResult,
  GenerationOptions,
} from "./backends/types.js";
export { LlamaBackend, checkModelFile } from "./backends/llama/llama-backend.js";
export type { LlamaBackendOptions, GpuOption } from "./backends/llama/llama-backend.js";
export { defaultThreads } from "./backends/llama/threads.js";
export { OpenAIBackend } from "./backends/openai/openai-backend.js";
export type { OpenAIBackendOptions } from "./backends/openai/openai-backend.js";
export { writeTestModel } from "./test-model/test-model.js";
export type { TestModelOptions } from "./test-model/test-model.js";
