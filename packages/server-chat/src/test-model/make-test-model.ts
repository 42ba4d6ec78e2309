#!/usr/bin/env node
/**
 * `cpipe-chat-test-model OUT.gguf` (the package's bin; `npm run make-test-model -- OUT.gguf` in
 * a clone): writes the tiny random-weight test model.
 */
import { stat } from "node:fs/promises";
import { writeTestModel } from "./test-model.js";

const out = process.argv[2];
if (out === undefined || out.startsWith("-")) {
  process.stderr.write("usage: cpipe-chat-test-model OUT.gguf\n");
  process.exit(2);
}
try {
  await writeTestModel(out);
  const { size } = await stat(out);
  process.stdout.write(`wrote ${out} (${(size / 1024).toFixed(0)} KiB)\n`);
} catch (err) {
  process.stderr.write(`cpipe-chat-test-model: ${(err as Error).message}\n`);
  process.exitCode = 1;
}
