/** Text served by `get_help`. */
export const CHAT_HELP = `# chat

An LLM chat tool: embedded llama.cpp (node-llama-cpp, a GGUF model) or any OpenAI-compatible
/v1/chat/completions endpoint.

Commands:
- chat {messages, max_tokens?, temperature?, top_p?, stop?, seed?, ignore_eos?}: streams
  {"event":"token","text":...,"done":false} ..., then {"event":"token","text":"","done":true,
  "finish_reason":..., "usage":{prompt_tokens, completion_tokens, ttft_ms, duration_ms, tokens_per_s}}.
- chat_blocking {same}: replies {"event":"reply","text":..., "finish_reason":..., "usage":{...}}.
- cancel: stops this client's generations (in flight or queued); cancel {target:id} stops one.
- messages: [{"role":"system"|"user"|"assistant","content":"..."}]; prompt (or data) is a shorthand
  for one user message.

States: loading -> idle <-> inferring; error when the model failed to load.
Several clients: up to 'parallel' generations run at once; the rest wait in a FIFO queue
(max-queue); a client that leaves or cancels frees its place at once.

Examples:
  cpipe chat chat -j '{"messages":[{"role":"user","content":"Hello"}]}'
  cpipe chat chat_blocking -j '{"prompt":"Hello","max_tokens":32,"temperature":0.7,"seed":1}'
`;
