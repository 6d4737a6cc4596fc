import { sha256 } from "@noble/hashes/sha2.js";
import { utf8ToBytes } from "@noble/hashes/utils.js";

/** A deterministic source of random numbers: the same seed gives the same sequence. */
export interface SeededRandom {
  /** A uniform number in [0, 1), 32 bits of resolution. */
  readonly next: () => number;
  /** A uniform integer in [0, n). */
  readonly below: (n: number) => number;
  /** True with probability `p`; always consumes exactly one draw, whatever `p` is. */
  readonly chance: (p: number) => boolean;
  /** A normal deviate (Box–Muller); always consumes exactly two draws. */
  readonly normal: (mean: number, sd: number) => number;
}

const TWO_POW_32 = 4_294_967_296;

/**
 * A seeded xoshiro128** generator (Blackman & Vigna), its 128-bit state the first 16 bytes of
 * SHA-256 of the seed. Not cryptographic: it only makes synthetic data reproducible, and 32-bit
 * integer arithmetic keeps it fast (no BigInt) — millions of draws per person batch. A string
 * seed is hashed as UTF-8, so distinct labels (`"omop/v1/1/hospital/0"`) give independent
 * streams.
 *
 * @example
 * ```ts
 * const random = createSeededRandom("omop/v1/1/hospital/0");
 * random.below(6); // the same number on every run
 * ```
 */
export function createSeededRandom(seed: string | Uint8Array): SeededRandom {
  const digest = sha256(typeof seed === "string" ? utf8ToBytes(seed) : seed);
  const view = new DataView(digest.buffer, digest.byteOffset, digest.byteLength);
  let s0 = view.getUint32(0, true);
  let s1 = view.getUint32(4, true);
  let s2 = view.getUint32(8, true);
  let s3 = view.getUint32(12, true);
  // xoshiro's one forbidden state; SHA-256 makes it astronomically unlikely, but never loop on it.
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1;

  const nextUint32 = (): number => {
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);
    return result;
  };
  const next = (): number => nextUint32() / TWO_POW_32;
  return {
    next,
    below: (n) => Math.floor(next() * n),
    chance: (p) => next() < p,
    normal: (mean, sd) => {
      // 1 - u keeps the logarithm's argument in (0, 1].
      const u = 1 - next();
      const v = next();
      return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
  };
}
