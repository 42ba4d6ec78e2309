/**
 * A minimal GGUF (version 3) writer: metadata key/values and F32 tensors. Enough to write the
 * tiny test model; not a general converter.
 */
import { open } from "node:fs/promises";

/** GGUF metadata value types (gguf.h `gguf_type`). */
export const GgufValueType = {
  Uint32: 4,
  Int32: 5,
  Float32: 6,
  Bool: 7,
  String: 8,
  Array: 9,
} as const;

/** One metadata value with its GGUF type. */
export type GgufValue =
  | { type: "u32"; value: number }
  | { type: "i32"; value: number }
  | { type: "f32"; value: number }
  | { type: "bool"; value: boolean }
  | { type: "string"; value: string }
  | { type: "string[]"; value: readonly string[] }
  | { type: "f32[]"; value: readonly number[] }
  | { type: "i32[]"; value: readonly number[] };

/** One F32 tensor: `dims` innermost first, as GGUF stores them. */
export interface GgufTensor {
  name: string;
  dims: readonly number[];
  data: Float32Array;
}

const ALIGNMENT = 32;
const GGML_TYPE_F32 = 0;

/** Little-endian byte builder. */
class Bytes {
  readonly #chunks: Buffer[] = [];
  length = 0;

  push(buf: Buffer): void {
    this.#chunks.push(buf);
    this.length += buf.length;
  }
  u32(n: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    this.push(b);
  }
  i32(n: number): void {
    const b = Buffer.alloc(4);
    b.writeInt32LE(n);
    this.push(b);
  }
  u64(n: number): void {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(n));
    this.push(b);
  }
  f32(n: number): void {
    const b = Buffer.alloc(4);
    b.writeFloatLE(n);
    this.push(b);
  }
  str(s: string): void {
    const b = Buffer.from(s, "utf8");
    this.u64(b.length);
    this.push(b);
  }
  pad(): void {
    const rem = this.length % ALIGNMENT;
    if (rem !== 0) this.push(Buffer.alloc(ALIGNMENT - rem));
  }
  concat(): Buffer {
    return Buffer.concat(this.#chunks, this.length);
  }
}

function writeValue(out: Bytes, v: GgufValue): void {
  switch (v.type) {
    case "u32":
      out.u32(GgufValueType.Uint32);
      out.u32(v.value);
      return;
    case "i32":
      out.u32(GgufValueType.Int32);
      out.i32(v.value);
      return;
    case "f32":
      out.u32(GgufValueType.Float32);
      out.f32(v.value);
      return;
    case "bool":
      out.u32(GgufValueType.Bool);
      out.push(Buffer.from([v.value ? 1 : 0]));
      return;
    case "string":
      out.u32(GgufValueType.String);
      out.str(v.value);
      return;
    case "string[]":
      out.u32(GgufValueType.Array);
      out.u32(GgufValueType.String);
      out.u64(v.value.length);
      for (const s of v.value) out.str(s);
      return;
    case "f32[]":
      out.u32(GgufValueType.Array);
      out.u32(GgufValueType.Float32);
      out.u64(v.value.length);
      for (const n of v.value) out.f32(n);
      return;
    case "i32[]":
      out.u32(GgufValueType.Array);
      out.u32(GgufValueType.Int32);
      out.u64(v.value.length);
      for (const n of v.value) out.i32(n);
      return;
  }
}

/** Writes a GGUF v3 file with the given metadata and F32 tensors. */
export async function writeGguf(
  path: string,
  metadata: ReadonlyMap<string, GgufValue>,
  tensors: readonly GgufTensor[],
): Promise<void> {
  const head = new Bytes();
  head.push(Buffer.from("GGUF", "ascii"));
  head.u32(3);
  head.u64(tensors.length);
  head.u64(metadata.size);
  for (const [key, value] of metadata) {
    head.str(key);
    writeValue(head, value);
  }
  let offset = 0;
  for (const t of tensors) {
    const count = t.dims.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) {
      throw new RangeError(
        `tensor ${t.name}: dims give ${count} values, data has ${t.data.length}`,
      );
    }
    head.str(t.name);
    head.u32(t.dims.length);
    for (const d of t.dims) head.u64(d);
    head.u32(GGML_TYPE_F32);
    head.u64(offset);
    offset += Math.ceil((count * 4) / ALIGNMENT) * ALIGNMENT;
  }
  head.pad();
  const file = await open(path, "w");
  try {
    await file.write(head.concat());
    for (const t of tensors) {
      const data = Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
      const rem = data.length % ALIGNMENT;
      await file.write(rem === 0 ? data : Buffer.concat([data, Buffer.alloc(ALIGNMENT - rem)]));
    }
  } finally {
    await file.close();
  }
}
