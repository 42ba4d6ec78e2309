/**
 * A FIFO of byte chunks that avoids concatenating on every push: bytes are copied only when a
 * requested range spans chunks.
 */
export class ByteQueue {
  #chunks: Buffer[] = [];
  #head = 0; // offset into #chunks[0]
  #length = 0;

  /** Number of buffered bytes. */
  get length(): number {
    return this.#length;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#length += chunk.length;
  }

  /** Reads a big-endian u32 at `offset` from the front without consuming. Caller checks length. */
  readUInt32BE(offset: number): number {
    const first = this.#chunks[0];
    if (first !== undefined && this.#head + offset + 4 <= first.length) {
      return first.readUInt32BE(this.#head + offset);
    }
    return this.peek(offset + 4).readUInt32BE(offset);
  }

  /** Returns the first `n` bytes without consuming them (copies only when they span chunks). */
  peek(n: number): Buffer {
    const first = this.#chunks[0];
    if (first !== undefined && this.#head + n <= first.length) {
      return first.subarray(this.#head, this.#head + n);
    }
    const out = Buffer.allocUnsafe(n);
    let copied = 0;
    let head = this.#head;
    for (const chunk of this.#chunks) {
      if (copied >= n) break;
      copied += chunk.copy(out, copied, head, Math.min(chunk.length, head + n - copied));
      head = 0;
    }
    return out;
  }

  /** Removes and returns the first `n` bytes. */
  take(n: number): Buffer {
    const out = this.peek(n);
    this.skip(n);
    return out;
  }

  /** Drops the first `n` bytes. */
  skip(n: number): void {
    let left = Math.min(n, this.#length);
    this.#length -= left;
    while (left > 0) {
      const first = this.#chunks[0];
      if (first === undefined) break;
      const avail = first.length - this.#head;
      if (left < avail) {
        this.#head += left;
        return;
      }
      left -= avail;
      this.#chunks.shift();
      this.#head = 0;
    }
  }

  /** Drops everything. */
  clear(): void {
    this.#chunks = [];
    this.#head = 0;
    this.#length = 0;
  }
}
