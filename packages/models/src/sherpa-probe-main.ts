/**
 * Child process of {@link probeSherpa}: loads one sherpa-onnx model and exits 0, or lets
 * sherpa-onnx print why it cannot and exit (it calls exit() on some bad models, which is why
 * this runs apart from the server). Arguments: `asr|tts`, the binding's path; the
 * configuration arrives as JSON on stdin.
 */
import { createRequire } from "node:module";
import { text } from "node:stream/consumers";
import type { SherpaModule } from "./sherpa.js";

const [kind, bindingPath] = process.argv.slice(2);
try {
  const sherpa = createRequire(import.meta.url)(bindingPath ?? "") as SherpaModule;
  const config = JSON.parse(await text(process.stdin)) as object;
  if (kind === "tts") await sherpa.OfflineTts.createAsync(config);
  else await sherpa.OfflineRecognizer.createAsync(config);
  process.stdout.write("ok\n");
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exitCode = 1;
}
