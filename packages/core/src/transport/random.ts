/**
 * Random bytes for client tokens and data ids, read from /dev/urandom. Loading `node:crypto`
 * costs a short-lived process such as `cpipe NAME ping` about 10 ms; one small read costs
 * microseconds. Where /dev/urandom cannot be read, Math.random stands in: these values must be
 * unlikely to collide, not secret.
 */
import fs from "node:fs";

/** `count` random bytes. */
export function randomBytes(count: number): Buffer {
  const out = Buffer.alloc(count);
  try {
    const fd = fs.openSync("/dev/urandom", "r");
    try {
      fs.readSync(fd, out, 0, count, null);
    } finally {
      fs.closeSync(fd);
    }
    return out;
  } catch {
    for (let i = 0; i < count; i++) out[i] = Math.floor(Math.random() * 256);
    return out;
  }
}

/** A random integer in [min, max). */
export function randomInt(min: number, max: number): number {
  return min + (randomBytes(4).readUInt32BE(0) % (max - min));
}
