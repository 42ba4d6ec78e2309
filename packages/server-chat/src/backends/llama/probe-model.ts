/**
 * Runs the probe (probe.ts) in a child process, so that a file that makes llama.cpp abort gives
 * a clear error instead of killing the server.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ChatServerError } from "../../errors.js";

const PROBE = fileURLToPath(new URL("./probe.js", import.meta.url));

/**
 * Loads the model's metadata and vocabulary in a child process.
 * @throws ChatServerError `bad_model` when llama.cpp refuses the file or aborts on it
 */
export function probeModel(path: string, timeoutMs = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PROBE, path], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      if (stderr.length < 64 * 1024) stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(new ChatServerError("EBADMODEL", `cannot check ${path}: ${err.message}`));
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve();
      const lines = stderr.split("\n").filter((l) => l.trim() !== "");
      const detail = lines.filter((l) => /error|assert|what\(\)|abort|fail/i.test(l)).at(-1);
      const last = (detail ?? lines.at(-1) ?? "no message").trim().slice(0, 300);
      const how =
        signal !== null
          ? `llama.cpp crashed reading it (${signal}): ${last}`
          : `llama.cpp refused it: ${last}`;
      reject(new ChatServerError("EBADMODEL", `model file ${path} is malformed: ${how}`));
    });
  });
}
