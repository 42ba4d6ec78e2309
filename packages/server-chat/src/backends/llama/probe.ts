#!/usr/bin/env node
/**
 * Child-process probe: `node probe.js MODEL` loads the model's metadata and vocabulary
 * (`vocabOnly`) with llama.cpp and exits 0, or prints the error and exits 1. Some malformed
 * files make llama.cpp abort the whole process (GGML_ASSERT, std::out_of_range); here that kills
 * only this child, and the parent reports it.
 */
import { LlamaLogLevel, getLlama } from "node-llama-cpp";

const modelPath = process.argv[2];
if (modelPath === undefined) {
  process.stderr.write("usage: probe MODEL\n");
  process.exit(2);
}
try {
  const llama = await getLlama({
    gpu: false,
    build: "never",
    skipDownload: true,
    progressLogs: false,
    logLevel: LlamaLogLevel.error,
    maxThreads: 1,
  });
  const model = await llama.loadModel({ modelPath, vocabOnly: true, gpuLayers: 0 });
  await model.dispose();
  await llama.dispose();
  process.exit(0);
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
}
