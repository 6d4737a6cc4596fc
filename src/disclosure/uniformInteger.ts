import { CustosError } from "../errors/index.ts";
import type { RandomSource } from "./RandomSource.ts";

const two32 = 0x1_0000_0000;

/**
 * A uniform integer in [0, bound) from 32-bit words, by rejection (no modulo bias).
 * Bounds up to 2^32 take one word per try; larger safe-integer bounds take two.
 *
 * @throws CustosError `INVALID_ARGUMENT` if bound is not a safe integer ≥ 1.
 * @example
 * ```ts
 * const die = uniformInteger(random, 6) + 1;
 * ```
 */
export function uniformInteger(random: RandomSource, bound: number): number {
  if (!Number.isSafeInteger(bound) || bound < 1) {
    throw new CustosError("INVALID_ARGUMENT", "bound must be a safe integer >= 1", {
      details: { bound },
    });
  }
  if (bound <= two32) {
    const limit = two32 - (two32 % bound);
    for (;;) {
      const x = random.nextUint32();
      if (x < limit) return x % bound;
    }
  }
  return Number(uniformBigInt(random, BigInt(bound)));
}

/**
 * A uniform bigint in [0, bound), drawing just enough 32-bit words and rejecting values
 * past the bound (the top word is masked to the bound's bit length, so a try succeeds with
 * probability > 1/2).
 *
 * @throws CustosError `INVALID_ARGUMENT` if bound < 1.
 * @example
 * ```ts
 * uniformBigInt(random, 10n ** 30n);
 * ```
 */
export function uniformBigInt(random: RandomSource, bound: bigint): bigint {
  if (bound < 1n) {
    throw new CustosError("INVALID_ARGUMENT", "bound must be >= 1", {
      details: { bound: bound.toString() },
    });
  }
  if (bound <= BigInt(two32)) return BigInt(uniformInteger(random, Number(bound)));
  const bits = (bound - 1n).toString(2).length;
  const words = Math.ceil(bits / 32);
  const topMask = BigInt(2 ** (bits - 32 * (words - 1)) - 1);
  for (;;) {
    let x = BigInt(random.nextUint32()) & topMask;
    for (let w = 1; w < words; w++) x = (x << 32n) | BigInt(random.nextUint32());
    if (x < bound) return x;
  }
}
