/**
 * A running 64-bit fingerprint of everything that happened in a run (each event's time,
 * node and kind, the bytes of every message sent, every block imported): two runs with the
 * same hash took the same steps in the same order. Two FNV-1a lanes with different offsets
 * and primes, finished with a murmur3 avalanche; not cryptographic — it tells replays apart,
 * it does not resist forgery.
 *
 * @example
 * ```ts
 * const trace = new SimTrace();
 * trace.number(time);
 * trace.bytes(message);
 * trace.digest(); // "9f1c…" (16 hex digits)
 * ```
 */
export class SimTrace {
  private low = 0x811c9dc5;
  private high = 0x01000193;

  /** Adds a safe integer (virtual times, indices, heights). */
  number(value: number): void {
    this.word(value >>> 0);
    this.word(Math.floor(value / 4_294_967_296) >>> 0);
  }

  /** Adds a byte string (and its length, so that concatenations differ). */
  bytes(data: Uint8Array): void {
    let low = this.low;
    let high = this.high;
    for (let i = 0; i < data.length; i++) {
      const byte = data[i] as number;
      low = Math.imul(low ^ byte, 0x01000193);
      high = Math.imul(high ^ byte, 0x000001b3);
    }
    this.low = low;
    this.high = high;
    this.word(data.length);
  }

  /** The fingerprint so far, 16 hex digits. */
  digest(): string {
    return (
      avalanche(this.low ^ Math.imul(this.high, 0x9e3779b1))
        .toString(16)
        .padStart(8, "0") +
      avalanche(this.high ^ Math.imul(this.low, 0x85ebca77))
        .toString(16)
        .padStart(8, "0")
    );
  }

  private word(value: number): void {
    for (let shift = 0; shift < 32; shift += 8) {
      const byte = (value >>> shift) & 0xff;
      this.low = Math.imul(this.low ^ byte, 0x01000193);
      this.high = Math.imul(this.high ^ byte, 0x000001b3);
    }
  }
}

function avalanche(value: number): number {
  let h = value;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
