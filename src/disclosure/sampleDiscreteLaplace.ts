import type { RandomSource } from "./RandomSource.ts";
import type { Rational } from "./Rational.ts";
import { sampleBernoulliExp } from "./sampleBernoulliExp.ts";
import { uniformBigInt } from "./uniformInteger.ts";

const one: Rational = { num: 1n, den: 1n };

/**
 * Draws from the discrete Laplace distribution with scale `scale` = t/s:
 * P[X = x] ∝ exp(−|x|·s/t) over all integers, exactly (Canonne, Kamath & Steinke 2020,
 * Algorithm 2): a geometric magnitude assembled from a uniform remainder accepted with
 * probability exp(−U/t) and a run of Bernoulli(exp(−1)) draws, divided by s, with a random
 * sign (rejecting −0 so 0 is not counted twice). With scale 1/ε it gives ε-DP for a
 * sensitivity-1 integer query. Returns a bigint so tails are never truncated.
 *
 * @example
 * ```ts
 * const noise = sampleDiscreteLaplace(random, { num: 1_000_000n, den: 500_000n }); // ε = 0.5
 * ```
 */
export function sampleDiscreteLaplace(random: RandomSource, scale: Rational): bigint {
  const t = scale.num;
  const s = scale.den;
  for (;;) {
    const u = uniformBigInt(random, t);
    if (!sampleBernoulliExp(random, { num: u, den: t })) continue;
    let v = 0n;
    while (sampleBernoulliExp(random, one)) v++;
    const y = (u + t * v) / s;
    const negative = (random.nextUint32() & 1) === 1;
    if (negative && y === 0n) continue;
    return negative ? -y : y;
  }
}
