import type { RandomSource } from "./RandomSource.ts";
import type { Rational } from "./Rational.ts";
import { uniformBigInt, uniformInteger } from "./uniformInteger.ts";

const two32 = 0x1_0000_0000n;

/** Bernoulli(num/den) exactly: a uniform draw in [0, den) falls below num. */
function bernoulli(random: RandomSource, num: bigint, den: bigint): boolean {
  if (num >= den) return true;
  if (den <= two32) return uniformInteger(random, Number(den)) < Number(num);
  return uniformBigInt(random, den) < num;
}

/** Bernoulli(exp(−γ)) for γ = num/den ∈ [0, 1] (Canonne–Kamath–Steinke 2020, Alg. 1). */
function bernoulliExpAtMostOne(random: RandomSource, num: bigint, den: bigint): boolean {
  let k = 1n;
  while (bernoulli(random, num, den * k)) k++;
  return k % 2n === 1n;
}

/**
 * Draws Bernoulli(exp(−γ)) exactly for a rational γ ≥ 0, with no floating point: for
 * γ ≤ 1 it counts a run of Bernoulli(γ/k) successes and returns whether the run length is
 * even (the alternating series of exp); for γ > 1 it multiplies ⌊γ⌋ draws of
 * Bernoulli(exp(−1)) with one of Bernoulli(exp(−(γ − ⌊γ⌋))). Canonne, Kamath & Steinke,
 * "The Discrete Gaussian for Differential Privacy" (2020), Algorithm 1.
 *
 * @example
 * ```ts
 * sampleBernoulliExp(random, { num: 1n, den: 2n }); // true with probability e^(−1/2)
 * ```
 */
export function sampleBernoulliExp(random: RandomSource, gamma: Rational): boolean {
  const { num, den } = gamma;
  if (num <= den) return bernoulliExpAtMostOne(random, num, den);
  const whole = num / den;
  for (let i = 0n; i < whole; i++) {
    if (!bernoulliExpAtMostOne(random, 1n, 1n)) return false;
  }
  return bernoulliExpAtMostOne(random, num - whole * den, den);
}
