/**
 * A model file check in JavaScript, before llama.cpp sees the file: the GGUF header, metadata
 * and tensor table must parse, the architecture must be named, and every tensor's data must lie
 * inside the file. Truncated and garbage files fail here with a clear message.
 */
import { open, stat } from "node:fs/promises";
import { readGgufFileInfo } from "node-llama-cpp";
import { ChatServerError } from "../../errors.js";

/** ggml type id -> [bytes per block, values per block] (ggml.c `type_traits`). */
const TYPE_SIZES: Readonly<Record<number, readonly [number, number]>> = {
  0: [4, 1], // F32
  1: [2, 1], // F16
  2: [18, 32], // Q4_0
  3: [20, 32], // Q4_1
  6: [22, 32], // Q5_0
  7: [24, 32], // Q5_1
  8: [34, 32], // Q8_0
  9: [36, 32], // Q8_1
  10: [84, 256], // Q2_K
  11: [110, 256], // Q3_K
  12: [144, 256], // Q4_K
  13: [176, 256], // Q5_K
  14: [210, 256], // Q6_K
  15: [292, 256], // Q8_K
  16: [66, 256], // IQ2_XXS
  17: [74, 256], // IQ2_XS
  18: [98, 256], // IQ3_XXS
  19: [50, 256], // IQ1_S
  20: [18, 32], // IQ4_NL
  21: [110, 256], // IQ3_S
  22: [82, 256], // IQ2_S
  23: [136, 256], // IQ4_XS
  24: [1, 1], // I8
  25: [2, 1], // I16
  26: [4, 1], // I32
  27: [8, 1], // I64
  28: [8, 1], // F64
  29: [56, 256], // IQ1_M
  30: [2, 1], // BF16
  34: [54, 256], // TQ1_0
  35: [66, 256], // TQ2_0
  39: [17, 32], // MXFP4
};

/**
 * Checks the fixed header before any parser trusts its counts: a garbage version or count could
 * otherwise make a parser allocate or loop without bound.
 */
async function checkHeader(
  path: string,
  size: number,
  bad: (problem: string) => ChatServerError,
): Promise<void> {
  if (size < 24) throw bad(`is not a valid GGUF file: only ${size} bytes`);
  const file = await open(path, "r");
  const head = Buffer.alloc(24);
  try {
    await file.read(head, 0, 24, 0);
  } finally {
    await file.close();
  }
  if (head.toString("latin1", 0, 4) !== "GGUF") {
    throw bad("is not a valid GGUF file: it does not start with the GGUF magic");
  }
  const version = head.readUInt32LE(4);
  if (version !== 2 && version !== 3) {
    throw bad(`is not a valid GGUF file: unsupported version ${version}`);
  }
  // Every tensor entry takes at least 28 bytes and every key/value at least 13.
  const tensors = head.readBigUInt64LE(8);
  const kvs = head.readBigUInt64LE(16);
  if (tensors * 28n + kvs * 13n > BigInt(size)) {
    throw bad(
      `is not a valid GGUF file: ${tensors} tensors and ${kvs} keys cannot fit in ${size} bytes`,
    );
  }
}

/** What the check learned about a valid file. */
export interface GgufSummary {
  architecture: string;
  tensors: number;
  bytes: number;
}

/**
 * Checks that `path` is a complete GGUF model file.
 * @throws ChatServerError `bad_model` naming the file and the problem
 */
export async function checkGgufFile(path: string): Promise<GgufSummary> {
  const bad = (problem: string, cause?: unknown): ChatServerError =>
    new ChatServerError("EBADMODEL", `model file ${path} ${problem}`, { cause });
  const st = await stat(path).catch((err: unknown) => {
    throw bad(`cannot be read: ${(err as Error).message}`, err);
  });
  if (!st.isFile()) throw bad("is not a regular file");
  await checkHeader(path, st.size, bad);
  let info: Awaited<ReturnType<typeof readGgufFileInfo>>;
  try {
    info = await readGgufFileInfo(path, {
      readTensorInfo: true,
      logWarnings: false,
      sourceType: "filesystem",
    });
  } catch (err) {
    throw bad(`is not a valid GGUF file: ${(err as Error).message}`, err);
  }
  const arch = (info.metadata as { general?: { architecture?: unknown } }).general?.architecture;
  if (typeof arch !== "string" || arch === "") throw bad("names no general.architecture");
  const tensors = info.fullTensorInfo ?? info.tensorInfo ?? [];
  if (tensors.length === 0) throw bad("holds no tensors");
  if (info.splicedParts > 1) {
    return { architecture: arch, tensors: tensors.length, bytes: st.size }; // split files: llama.cpp checks the parts
  }
  for (const t of tensors) {
    const size = TYPE_SIZES[t.ggmlType];
    if (size === undefined) continue;
    const values = t.dimensions.reduce<number>((a, b) => a * Number(b), 1);
    const end = Number(t.fileOffset) + Math.ceil(values / size[1]) * size[0];
    if (end > st.size) {
      throw bad(
        `is truncated: tensor ${t.name} ends at byte ${end} but the file has ${st.size} bytes`,
      );
    }
  }
  return { architecture: arch, tensors: tensors.length, bytes: st.size };
}
