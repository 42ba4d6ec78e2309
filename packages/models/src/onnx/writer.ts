/**
 * A minimal ONNX model writer: a graph of standard operators with float/int initializers,
 * typed inputs and outputs, and metadata. Enough to write the tiny random-weight models the
 * engine tests load through the real runtimes (sherpa-onnx, onnxruntime); not a converter.
 */
import { writeFile } from "node:fs/promises";
import { ProtoWriter } from "./protobuf.js";

/** Element types used by the test models. */
export type OnnxType = "float" | "int32" | "int64";

/** ONNX TensorProto.DataType codes. */
const DATA_TYPE: Record<OnnxType, number> = { float: 1, int32: 6, int64: 7 };

/** A dimension: a fixed size or a symbolic name (`"T"`). */
export type OnnxDim = number | string;

/** A constant tensor. `dims` outermost first, as ONNX stores them. */
export interface OnnxTensor {
  type: OnnxType;
  dims: readonly number[];
  data: Float32Array | Int32Array | BigInt64Array;
}

/** An operator attribute. */
export type OnnxAttribute =
  | { int: number }
  | { float: number }
  | { ints: readonly number[] }
  | { string: string }
  | { tensor: OnnxTensor };

interface Node {
  op: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attrs: Readonly<Record<string, OnnxAttribute>>;
}

interface ValueInfo {
  name: string;
  type: OnnxType;
  shape: readonly OnnxDim[];
}

/**
 * Builds one ONNX graph. Node outputs get fresh names unless given; the opset is 17 (every
 * operator used here behaves the same from 13 on).
 */
export class OnnxGraph {
  readonly #nodes: Node[] = [];
  readonly #inits: { name: string; tensor: OnnxTensor }[] = [];
  readonly #inputs: ValueInfo[] = [];
  readonly #outputs: ValueInfo[] = [];
  readonly #meta = new Map<string, string>();
  #next = 0;

  constructor(readonly name: string) {}

  /** Declares a graph input. */
  input(name: string, type: OnnxType, shape: readonly OnnxDim[]): string {
    this.#inputs.push({ name, type, shape });
    return name;
  }

  /** Declares a graph output (the value `name`, produced by a node). */
  output(name: string, type: OnnxType, shape: readonly OnnxDim[]): void {
    this.#outputs.push({ name, type, shape });
  }

  /** Adds a constant; returns its name. */
  constant(tensor: OnnxTensor, name = `c${this.#next++}`): string {
    this.#inits.push({ name, tensor });
    return name;
  }

  /** A float constant of the given shape. */
  floats(dims: readonly number[], data: ArrayLike<number>): string {
    return this.constant({ type: "float", dims, data: Float32Array.from(data) });
  }

  /** An int64 constant of the given shape. */
  int64s(dims: readonly number[], data: ArrayLike<number>): string {
    return this.constant({
      type: "int64",
      dims,
      data: BigInt64Array.from(Array.from(data, (v) => BigInt(v))),
    });
  }

  /** Adds a node with one output; returns the output's name (`out` when given). */
  op(
    op: string,
    inputs: readonly string[],
    attrs: Record<string, OnnxAttribute> = {},
    out = `v${this.#next++}`,
  ): string {
    this.#nodes.push({ op, inputs, outputs: [out], attrs });
    return out;
  }

  /** Sets a metadata entry (sherpa-onnx reads its model settings from these). */
  meta(key: string, value: string | number): this {
    this.#meta.set(key, String(value));
    return this;
  }

  /** The serialized ModelProto. */
  encode(): Buffer {
    const graph = new ProtoWriter();
    for (const n of this.#nodes) graph.bytesField(1, encodeNode(n));
    graph.bytesField(2, this.name);
    for (const { name, tensor } of this.#inits) graph.bytesField(5, encodeTensor(tensor, name));
    for (const v of this.#inputs) graph.bytesField(11, encodeValueInfo(v));
    for (const v of this.#outputs) graph.bytesField(12, encodeValueInfo(v));
    const model = new ProtoWriter()
      .int(1, 8) // ir_version
      .bytesField(2, "named-pipe-tools-models")
      .bytesField(7, graph)
      .bytesField(8, new ProtoWriter().bytesField(1, "").int(2, 17));
    for (const [key, value] of this.#meta) {
      model.bytesField(14, new ProtoWriter().bytesField(1, key).bytesField(2, value));
    }
    return model.bytes();
  }

  /** Writes the model to `file`. */
  async write(file: string): Promise<void> {
    await writeFile(file, this.encode());
  }
}

function encodeTensor(t: OnnxTensor, name: string): ProtoWriter {
  const count = t.dims.reduce((a, b) => a * b, 1);
  if (count !== t.data.length) {
    throw new TypeError(`tensor ${name}: dims ${t.dims.join("x")} need ${count} values`);
  }
  const w = new ProtoWriter();
  for (const d of t.dims) w.int(1, d);
  w.int(2, DATA_TYPE[t.type]);
  w.bytesField(8, name);
  // raw_data is little-endian, which every platform Node runs on is.
  w.bytesField(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  return w;
}

function encodeValueInfo(v: ValueInfo): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.shape) {
    const dim = new ProtoWriter();
    if (typeof d === "number") dim.int(1, d);
    else dim.bytesField(2, d);
    shape.bytesField(1, dim);
  }
  const tensorType = new ProtoWriter().int(1, DATA_TYPE[v.type]).bytesField(2, shape);
  return new ProtoWriter()
    .bytesField(1, v.name)
    .bytesField(2, new ProtoWriter().bytesField(1, tensorType));
}

/** AttributeProto.AttributeType codes. */
const ATTR = { float: 1, int: 2, string: 3, tensor: 4, ints: 7 } as const;

function encodeNode(n: Node): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.bytesField(1, i);
  for (const o of n.outputs) w.bytesField(2, o);
  w.bytesField(4, n.op);
  for (const [name, a] of Object.entries(n.attrs)) {
    const attr = new ProtoWriter().bytesField(1, name);
    if ("int" in a) attr.int(3, a.int).int(20, ATTR.int);
    else if ("float" in a) attr.float(2, a.float).int(20, ATTR.float);
    else if ("ints" in a) {
      for (const v of a.ints) attr.int(8, v);
      attr.int(20, ATTR.ints);
    } else if ("string" in a) attr.bytesField(4, a.string).int(20, ATTR.string);
    else attr.bytesField(5, encodeTensor(a.tensor, "")).int(20, ATTR.tensor);
    w.bytesField(5, attr);
  }
  return w;
}

/** A deterministic pseudo-random source (LCG) for reproducible random weights. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 0x1_0000_0000;
  };
}

/** `n` uniform random values in [-scale, scale). */
export function randomWeights(rand: () => number, n: number, scale: number): Float32Array {
  return Float32Array.from({ length: n }, () => (rand() * 2 - 1) * scale);
}
