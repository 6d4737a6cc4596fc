import type { KMapEstimatorModel } from "./PrivacyModel.ts";

/** The k-anonymity threshold an estimated k-map model stands for. */
export interface KMapEstimate {
  /** The model's `k` (population records required per class). */
  readonly k: number;
  /** k′: the size every released class of the sample must reach. */
  readonly derivedK: number;
  /** Sample records / population records. */
  readonly samplingFraction: number;
  /** λ = samplingFraction × k, the Poisson mean of a sample class drawn from k individuals. */
  readonly lambda: number;
  /**
   * 1 − the cumulative probability the search stopped at: the estimated chance that a class
   * of k′ sample records comes from fewer than `k` individuals (0 when k′ reached `k`, where
   * k-map holds for certain).
   */
  readonly type1Error: number;
}

/**
 * Derives k′ for k-map with a cell-size estimator, as ARX's `KMap` does (El Emam & Dankar,
 * JAMIA 2008; the Poisson estimator is Pannekoek's D3, the zero-truncated one D4). With
 * f = n / N (n sample records, N population records, or the given sampling fraction),
 * λ = f·k and X ~ Poisson(λ), the size of a sample class drawn from exactly k individuals:
 *
 * - `poisson`: c = min{ c ≥ 0 : P(X ≤ c) ≥ 1 − α }, k′ = c + 2;
 * - `zero-truncated-poisson`: c = min{ c ≥ 1 : P(X ≤ c | X ≥ 1) ≥ 1 − α }, k′ = c + 1;
 *
 * then k′ = min(k′, k, n). The search stops as soon as k′ would reach k (k-map then holds
 * with certainty, type I error 0) or n. When 1 − α rounds to 1 (α = 0) no count is
 * certain (P(X ≤ c) < 1), so k′ = min(k, n) even where the floating-point sum rounds to 1. ARX's Poisson variant adds one more than the
 * zero-truncated one; that offset is kept so the thresholds match ARX's. Probabilities are
 * summed in log space (ln P(X = i) = −λ + i·ln λ − ln i!), so large λ does not underflow.
 *
 * @throws never for a validated model (k ≥ 1, α in [0, 1], f in (0, 1]).
 * @example
 * ```ts
 * // f = 0.1, k = 10 → λ = 1; P(X ≤ 3) = 0.981 ≥ 0.95 → k′ = 5.
 * estimateKMapThreshold(
 *   { type: "k-map", k: 10, estimator: "poisson", significanceLevel: 0.05, samplingFraction: 0.1 },
 *   1000,
 * ).derivedK; // 5
 * ```
 */
export function estimateKMapThreshold(model: KMapEstimatorModel, sampleSize: number): KMapEstimate {
  const samplingFraction = model.samplingFraction ?? sampleSize / (model.populationSize as number);
  const k = model.k;
  const lambda = samplingFraction * k;
  const threshold = 1 - model.significanceLevel;
  const logLambda = Math.log(lambda);
  const truncated = model.estimator === "zero-truncated-poisson";
  // P(X ≥ 1) = 1 − e^−λ, via expm1 so a tiny λ keeps its precision.
  const logMass = truncated ? Math.log(-Math.expm1(-lambda)) : 0;
  const offset = truncated ? 1 : 2;
  let logFactorial = 0;
  let cumulative = 0;
  let c = truncated ? 1 : 0;
  for (let i = 2; i <= c; i++) logFactorial += Math.log(i);
  for (; ; c++) {
    if (c > 1) logFactorial += Math.log(c);
    cumulative += Math.exp(-lambda + c * logLambda - logFactorial - logMass);
    // ARX stops once the next candidate count reaches k: k′ would then be k itself.
    if (c + 1 >= k) {
      return { k, derivedK: Math.min(k, sampleSize), samplingFraction, lambda, type1Error: 0 };
    }
    if ((threshold < 1 && cumulative >= threshold) || c + offset >= sampleSize) {
      break;
    }
  }
  return {
    k,
    derivedK: Math.min(k, c + offset, sampleSize),
    samplingFraction,
    lambda,
    type1Error: Math.max(0, 1 - cumulative),
  };
}
