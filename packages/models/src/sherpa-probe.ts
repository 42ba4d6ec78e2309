/**
 * Trying a sherpa-onnx model in a child process first. sherpa-onnx ends the whole process
 * (exit()) on some models it cannot run, for example an ONNX file without the metadata it
 * expects; a server must not die of a wrong path, so models that did not come checksummed
 * from a catalog are loaded once apart, and their failure becomes an error.
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { ModelError } from "./errors.js";

const MAIN = fileURLToPath(new URL("./sherpa-probe-main.js", import.meta.url));

/** How long a model may take to load in the probe, ms. */
const PROBE_TIMEOUT_MS = 120_000;

/**
 * Loads `config` with the binding at `bindingPath` in a child process.
 * @throws ModelError `EINVAL` with sherpa-onnx's reason when it cannot load the model
 */
export async function probeSherpa(
  kind: "asr" | "tts",
  config: object,
  bindingPath: string,
): Promise<void> {
  const child = spawn(process.execPath, [MAIN, kind, bindingPath], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    stderr = (stderr + d).slice(-16_384);
  });
  child.stdout.resume();
  child.stdin.on("error", () => {});
  child.stdin.end(JSON.stringify(config));
  const timer = setTimeout(() => child.kill("SIGKILL"), PROBE_TIMEOUT_MS);
  const code = await new Promise<number | null>((resolve) => {
    child.once("error", () => resolve(-1));
    child.once("close", (c) => resolve(c));
  });
  clearTimeout(timer);
  if (code === 0) return;
  throw new ModelError("EINVAL", reason(stderr) ?? `the model check ended with ${String(code)}`);
}

/** sherpa-onnx's first line of explanation, without its source location. */
function reason(stderr: string): string | undefined {
  const lines = stderr
    .split("\n")
    .map((l) => l.replace(/^\/\S*:\d+\s*/, "").trim()) // "/shared/.../x.cc:Create:358 "
    .filter((l) => l !== "");
  return lines[0];
}

/**
 * Creates a sherpa-onnx object with `create` from `config`. With `probe` (a model directory the
 * user gave, not a checksummed download from a catalog) the model is first loaded in a child
 * process, so one that sherpa-onnx exits on becomes an error instead of the end of the server.
 * Either failure is thrown as `fail(message, cause)`, the message naming `what`.
 */
export async function createSherpaChecked<T>(
  kind: "asr" | "tts",
  config: object,
  create: () => Promise<T>,
  options: { probe: boolean; what: string; fail: (message: string, cause: unknown) => Error },
): Promise<T> {
  const failed = (err: unknown): Error =>
    options.fail(`sherpa-onnx cannot load '${options.what}': ${(err as Error).message}`, err);
  if (options.probe) {
    const binding = createRequire(import.meta.url).resolve("sherpa-onnx-node");
    await probeSherpa(kind, config, binding).catch((err: unknown) => {
      throw failed(err);
    });
  }
  try {
    return await create();
  } catch (err) {
    throw failed(err);
  }
}
