/**
 * The few protocol-buffer encodings an ONNX file needs: varints, length-delimited fields,
 * fixed32 floats. Writing only; fields are emitted in the order they are added.
 */

/** Builds one protobuf message. */
export class ProtoWriter {
  readonly #parts: Buffer[] = [];

  /** Bytes written so far. */
  bytes(): Buffer {
    return Buffer.concat(this.#parts);
  }

  #tag(field: number, wire: number): void {
    this.#varint(BigInt(field * 8 + wire));
  }

  #varint(n: bigint): void {
    // Negative int64 values are written as their 64-bit two's complement (10 bytes).
    let v = n < 0n ? n + (1n << 64n) : n;
    const out: number[] = [];
    while (v >= 0x80n) {
      out.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    out.push(Number(v));
    this.#parts.push(Buffer.from(out));
  }

  /** A varint field (int32, int64, enum, bool). */
  int(field: number, value: number | bigint): this {
    this.#tag(field, 0);
    this.#varint(BigInt(value));
    return this;
  }

  /** A fixed32 float field. */
  float(field: number, value: number): this {
    this.#tag(field, 5);
    const b = Buffer.alloc(4);
    b.writeFloatLE(value);
    this.#parts.push(b);
    return this;
  }

  /** A length-delimited field: bytes, a string, or an embedded message. */
  bytesField(field: number, value: Uint8Array | string | ProtoWriter): this {
    const body =
      typeof value === "string"
        ? Buffer.from(value, "utf8")
        : value instanceof ProtoWriter
          ? value.bytes()
          : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    this.#tag(field, 2);
    this.#varint(BigInt(body.length));
    this.#parts.push(body);
    return this;
  }
}
