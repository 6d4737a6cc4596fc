import { CustosError } from "../errors/index.ts";

/** An exact non-negative rational number num/den, den > 0, used by the exact DP samplers. */
export interface Rational {
  /** Numerator, ≥ 0. */
  readonly num: bigint;
  /** Denominator, > 0. */
  readonly den: bigint;
}

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

/**
 * Builds a rational in lowest terms.
 *
 * @throws CustosError `DISCLOSURE_POLICY_INVALID` if num < 0 or den ≤ 0.
 * @example
 * ```ts
 * rational(10n, 4n); // { num: 5n, den: 2n }
 * ```
 */
export function rational(num: bigint, den: bigint): Rational {
  if (num < 0n || den <= 0n) {
    throw new CustosError("DISCLOSURE_POLICY_INVALID", "rational must have num >= 0, den > 0", {
      details: { num: num.toString(), den: den.toString() },
    });
  }
  const g = gcd(num, den);
  return g > 1n ? { num: num / g, den: den / g } : { num, den };
}
