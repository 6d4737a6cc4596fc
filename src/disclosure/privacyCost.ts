import { CustosError } from "../errors/index.ts";
import { type Rational, rational } from "./Rational.ts";
import { microEpsilonPerEpsilon, type NoisePolicy } from "./resolveDisclosurePolicy.ts";

/** What a noise policy costs and the exact sampler parameters it implies. */
export interface PrivacyCost {
  /** ε charged to the budget, integer micro-ε (rounded up). 0 for no noise. */
  readonly epsilonMicro: number;
  /** Discrete Laplace scale 1/ε, when that mechanism is used. */
  readonly laplaceScale?: Rational;
  /** Discrete Gaussian variance σ² = 1/(2ρ), when that mechanism is used. */
  readonly gaussianSigmaSquared?: Rational;
}

const micro = BigInt(microEpsilonPerEpsilon);

/**
 * Converts ρ-zCDP to (ε, δ)-DP by ε = ρ + 2·√(ρ·ln(1/δ)) (Bun & Steinke 2016, Prop. 1.3),
 * returned in micro-ε rounded up; a relative 1e-12 margin absorbs floating-point error so
 * the charge never understates the loss.
 *
 * @throws CustosError `DISCLOSURE_POLICY_INVALID` for ρ ≤ 0 or δ outside (0, 1).
 * @example
 * ```ts
 * zcdpToEpsilonMicro(50_000, 1e-6); // ρ = 0.05 → ε ≈ 1.71226, i.e. 1_712_259
 * ```
 */
export function zcdpToEpsilonMicro(rhoMicro: number, delta: number): number {
  if (!(Number.isSafeInteger(rhoMicro) && rhoMicro > 0) || !(delta > 0 && delta < 1)) {
    throw new CustosError("DISCLOSURE_POLICY_INVALID", "need rhoMicro >= 1 and 0 < delta < 1", {
      details: { rhoMicro, delta },
    });
  }
  const rho = rhoMicro / microEpsilonPerEpsilon;
  const epsilon = rho + 2 * Math.sqrt(rho * Math.log(1 / delta));
  return Math.ceil(epsilon * microEpsilonPerEpsilon * (1 + 1e-12));
}

/**
 * The privacy cost of a noise policy for one release of a histogram (disjoint cells, one
 * subject added or removed changes one cell by 1, so L1 = L2 sensitivity = 1). Margins are
 * recomputed from the noisy cells (post-processing), so they cost nothing more.
 * - discrete Laplace, scale 1/ε: pure ε-DP, charged ε;
 * - discrete Gaussian, σ² = 1/(2ρ): ρ-zCDP (Canonne–Kamath–Steinke 2020, Thm. 4),
 *   charged the ε of {@link zcdpToEpsilonMicro} at the policy's δ.
 *
 * @example
 * ```ts
 * privacyCost({ mechanism: "discreteLaplace", epsilonMicro: 500_000 }).laplaceScale; // 2/1
 * ```
 */
export function privacyCost(noise: NoisePolicy): PrivacyCost {
  switch (noise.mechanism) {
    case "none":
      return { epsilonMicro: 0 };
    case "discreteLaplace":
      return {
        epsilonMicro: noise.epsilonMicro,
        laplaceScale: rational(micro, BigInt(noise.epsilonMicro)),
      };
    case "discreteGaussian":
      return {
        epsilonMicro: zcdpToEpsilonMicro(noise.rhoMicro, noise.delta),
        gaussianSigmaSquared: rational(micro, 2n * BigInt(noise.rhoMicro)),
      };
  }
}
