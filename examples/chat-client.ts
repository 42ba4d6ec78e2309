/**
 * Streams a chat reply to the terminal from a running chat server.
 *
 *   npm run make-test-model -- /tmp/tiny.gguf
 *   node dist/packages/server-chat/src/main.js --model /tmp/tiny.gguf &   # or: cpipe --serve chat --model ...
 *   node dist/examples/chat-client.js "Tell me about named pipes"
 *
 * Ctrl-C cancels the generation on the server (breaking out of the stream cancels the request).
 */
import { ToolClient } from "named-pipe-tools";

const prompt = process.argv.slice(2).join(" ") || "Hello!";
await using client = await ToolClient.connect("chat");

const abort = new AbortController();
process.once("SIGINT", () => abort.abort());

for await (const msg of client.stream("chat", {
  messages: [{ role: "user", content: prompt }],
  max_tokens: 128,
})) {
  if (abort.signal.aborted) break;
  if (msg.done === false) process.stdout.write(String(msg["text"]));
  else process.stderr.write(`\n[usage] ${JSON.stringify(msg["usage"])}\n`);
}
