/**
 * Building a chat server from a configuration: the backend, then the server.
 */
import type { ToolServerOptions } from "named-pipe-tools";
import { LlamaBackend, checkModelFile } from "./backends/llama/llama-backend.js";
import { isModelUri, progressBar } from "./backends/llama/model-source.js";
import { OpenAIBackend } from "./backends/openai/openai-backend.js";
import type { ChatBackend } from "./backends/types.js";
import { ChatServer } from "./chat-server.js";
import type { ChatConfig } from "./config.js";

/** Extra options of {@link createChatServer}. */
export interface CreateOptions extends Partial<ToolServerOptions> {
  /** Diagnostics (download progress, llama.cpp warnings) [stderr]. */
  log?: ((line: string) => void) | null;
}

/** Builds the backend a configuration asks for. */
export function createBackend(
  config: ChatConfig,
  log: (line: string) => void,
  onProgress?: (downloaded: number, total: number) => void,
): ChatBackend {
  if (config.backend === "openai") {
    return new OpenAIBackend({
      baseUrl: config.baseUrl ?? "",
      model: config.model ?? "",
      ...(config.apiKeyEnv === undefined ? {} : { apiKeyEnv: config.apiKeyEnv }),
      ...(config.parallel === undefined ? {} : { parallel: config.parallel }),
    });
  }
  let lastLine = 0;
  return new LlamaBackend({
    model: config.model ?? "",
    ...(config.modelsDir === undefined ? {} : { modelsDir: config.modelsDir }),
    ...(config.threads === undefined ? {} : { threads: config.threads }),
    ...(config.gpu === undefined ? {} : { gpu: config.gpu }),
    ...(config.contextSize === undefined ? {} : { contextSize: config.contextSize }),
    ...(config.parallel === undefined ? {} : { parallel: config.parallel }),
    ...(config.probe === undefined ? {} : { probe: config.probe }),
    log,
    onProgress: (p) => {
      onProgress?.(p.downloaded, p.total);
      const now = Date.now();
      const finished = p.total > 0 && p.downloaded >= p.total;
      if (process.stderr.isTTY) {
        process.stderr.write(
          `\rdownloading ${config.model}: ${progressBar(p)}${finished ? "\n" : ""}`,
        );
      } else if (now - lastLine > 2000 || finished) {
        lastLine = now;
        log(`downloading ${config.model}: ${progressBar(p)}`);
      }
    },
  });
}

/**
 * Creates a chat server (not yet listening; the model starts loading at once). A local model
 * file is not checked here: {@link startChatServer} does that before listening.
 */
export function createChatServer(config: ChatConfig, options: CreateOptions = {}): ChatServer {
  const log =
    options.log === null
      ? () => undefined
      : (options.log ??
        ((line: string) => process.stderr.write(`[${config.name ?? "chat"}] ${line}\n`)));
  let server: ChatServer | undefined;
  const backend = createBackend(config, log, (downloaded, total) =>
    server?.broadcast("download_progress", { downloaded, total }),
  );
  server = new ChatServer({
    ...options,
    ...(config.name === undefined ? {} : { name: config.name }),
    ...(config.dir === undefined ? {} : { dir: config.dir }),
    backend,
    defaults: {
      ...(config.maxTokens === undefined ? {} : { maxTokens: config.maxTokens }),
      ...(config.temperature === undefined ? {} : { temperature: config.temperature }),
      ...(config.topP === undefined ? {} : { topP: config.topP }),
      ...(config.seed === undefined ? {} : { seed: config.seed }),
    },
    ...(config.maxQueue === undefined ? {} : { maxQueue: config.maxQueue }),
  });
  return server;
}

/**
 * Checks a local model file (so a bad one fails with a clear error before anything listens),
 * creates the server and starts listening.
 * @throws ChatServerError `bad_model`, `bad_config`; PipeToolError from listen (`EINUSE`, ...)
 */
export async function startChatServer(
  config: ChatConfig,
  options: CreateOptions = {},
): Promise<ChatServer> {
  if (config.backend === "llama" && config.model !== undefined && !isModelUri(config.model)) {
    await checkModelFile(config.model, config.probe ?? true);
  }
  const server = createChatServer({ ...config, probe: false }, options);
  try {
    await server.listen();
  } catch (err) {
    await server.close();
    throw err;
  }
  return server;
}
