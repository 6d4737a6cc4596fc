import type { RandomSource } from "./RandomSource.ts";
import type { Rational } from "./Rational.ts";
import { sampleBernoulliExp } from "./sampleBernoulliExp.ts";
import { sampleDiscreteLaplace } from "./sampleDiscreteLaplace.ts";

function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = BigInt(Math.floor(Math.sqrt(Number(n))));
  while (x * x > n) x--;
  while ((x + 1n) * (x + 1n) <= n) x++;
  return x;
}

/**
 * Draws from the discrete Gaussian N_Z(0, σ²): P[X = x] ∝ exp(−x²/(2σ²)) over all
 * integers, exactly, for a rational σ² (Canonne, Kamath & Steinke 2020, Algorithm 3):
 * propose from a discrete Laplace of scale t = ⌊σ⌋ + 1 and accept with probability
 * exp(−(|Y| − σ²/t)²/(2σ²)), evaluated as an exact Bernoulli(exp(−γ)) on rationals. With
 * σ² = Δ²/(2ρ) it is ρ-zCDP for a query of L2 sensitivity Δ.
 *
 * @example
 * ```ts
 * const noise = sampleDiscreteGaussian(random, { num: 25n, den: 1n }); // σ = 5
 * ```
 */
export function sampleDiscreteGaussian(random: RandomSource, sigmaSquared: Rational): bigint {
  const sn = sigmaSquared.num;
  const sd = sigmaSquared.den;
  const t = isqrt(sn / sd) + 1n;
  const scale: Rational = { num: t, den: 1n };
  const den = 2n * sn * sd * t * t;
  for (;;) {
    const y = sampleDiscreteLaplace(random, scale);
    const magnitude = y < 0n ? -y : y;
    const diff = magnitude * t * sd - sn;
    if (sampleBernoulliExp(random, { num: diff * diff, den })) return y;
  }
}
