import { regularisedGammaQ } from "./regularisedGammaQ.ts";

/** The 0.975 quantile of the standard normal distribution, for two-sided 95 % intervals. */
const normalQuantile975 = 1.959963984540054;

/** An estimate with its standard error, normal-theory 95 % interval and z-test. */
export interface NormalEstimate {
  /** The point estimate (on the analysis scale, e.g. a log ratio). */
  readonly estimate: number;
  /** Its standard error. */
  readonly standardError: number;
  /** Lower limit of the 95 % confidence interval, estimate − 1.96·SE. */
  readonly lower: number;
  /** Upper limit of the 95 % confidence interval, estimate + 1.96·SE. */
  readonly upper: number;
  /** The z statistic, estimate / SE. */
  readonly z: number;
  /** Two-sided p-value of the null hypothesis that the true value is 0. */
  readonly pValue: number;
}

/**
 * Builds the normal-theory (Wald) 95 % confidence interval and two-sided z-test of an
 * estimate. The p-value is erfc(|z|/√2) = Q(1/2, z²/2), computed with the same regularised
 * gamma function as the chi-square tail.
 *
 * @example
 * ```ts
 * normalEstimate(-0.4303, 0.0405).lower; // ≈ -0.5097
 * ```
 */
export function normalEstimate(estimate: number, standardError: number): NormalEstimate {
  const z = estimate / standardError;
  return {
    estimate,
    standardError,
    lower: estimate - normalQuantile975 * standardError,
    upper: estimate + normalQuantile975 * standardError,
    z,
    pValue: regularisedGammaQ(0.5, (z * z) / 2),
  };
}
