import { chiSquareUpperTail } from "./chiSquareUpperTail.ts";
import { assertFinite, invalidArgument } from "./invalidArgument.ts";
import { type NormalEstimate, normalEstimate } from "./normalEstimate.ts";
import { sortedSites } from "./sortedSites.ts";

/** One site's estimate of an effect, on a scale where it is roughly normal (e.g. log OR). */
export interface SiteEstimate {
  /** The answering site (hospital) id. */
  readonly site: string;
  /** The site's estimate. */
  readonly estimate: number;
  /** Its standard error, > 0. */
  readonly standardError: number;
}

/** Between-site heterogeneity of a meta-analysis. */
export interface Heterogeneity {
  /** Cochran's Q, Σ wᵢ(yᵢ − ŷ_fixed)² with wᵢ = 1/SEᵢ². */
  readonly q: number;
  /** Degrees of freedom of Q, k − 1. */
  readonly df: number;
  /** P(χ²_df ≥ Q), the test of homogeneity; `null` for a single site (df = 0). */
  readonly pValue: number | null;
  /** I² in percent, 100·(Q − df)/Q clamped at 0 (0 when Q = 0); in [0, 100]. */
  readonly iSquared: number;
  /** DerSimonian–Laird τ², the between-site variance of the true effects; ≥ 0. */
  readonly tauSquared: number;
}

/** Fixed- and random-effects pooled estimates of one effect over sites. */
export interface MetaAnalysis {
  /** Number of sites pooled. */
  readonly k: number;
  /** The sites pooled, sorted by id. */
  readonly sites: readonly string[];
  /** Inverse-variance fixed-effect (common-effect) estimate. */
  readonly fixed: NormalEstimate;
  /** DerSimonian–Laird random-effects estimate. */
  readonly random: NormalEstimate;
  /** Q, df, its p-value, I² and τ². */
  readonly heterogeneity: Heterogeneity;
}

/**
 * Inverse-variance meta-analysis of per-site estimates of one effect (any effect with a
 * near-normal sampling distribution: log odds ratio, log risk ratio, mean difference).
 *
 * - Fixed effect: ŷ = Σwᵢyᵢ / Σwᵢ with wᵢ = 1/SEᵢ², SE = 1/√Σwᵢ.
 * - Cochran's Q = Σwᵢ(yᵢ − ŷ)² on k − 1 df (Cochran 1954), p-value from the chi-square
 *   upper tail.
 * - τ² by DerSimonian & Laird (1986): max(0, (Q − df) / (Σwᵢ − Σwᵢ²/Σwᵢ)).
 * - Random effects: weights 1/(SEᵢ² + τ²); equal to the fixed effect when τ² = 0.
 * - I² = max(0, (Q − df)/Q) in percent (Higgins & Thompson 2002): the share of the
 *   variability of the estimates due to heterogeneity rather than chance.
 * - 95 % intervals and z-tests are normal-theory (Wald).
 *
 * Sites are processed in id order, so the result does not depend on the answer order. With
 * one site both estimates are that site's, τ² = 0, I² = 0 and Q has no p-value.
 *
 * @throws CustosError `INVALID_ARGUMENT` naming the field and site for an empty list, a
 * malformed or duplicate site id, a non-finite estimate, a standard error that is not finite
 * and > 0 or whose weight 1/SE² overflows, or estimates so extreme the sums overflow.
 * @example
 * ```ts
 * const result = metaAnalyse([
 *   { site: "H1", estimate: -0.9, standardError: 0.3 },
 *   { site: "H2", estimate: -0.2, standardError: 0.2 },
 *   { site: "H3", estimate: -0.5, standardError: 0.25 },
 * ]);
 * result.random.estimate; // pooled log ratio; Math.exp(…) for the ratio
 * result.heterogeneity.iSquared; // percent
 * ```
 */
export function metaAnalyse(estimates: readonly SiteEstimate[]): MetaAnalysis {
  const ordered = sortedSites(estimates, "estimates");
  if (ordered.length === 0) {
    invalidArgument("a meta-analysis needs at least one estimate", { field: "estimates" });
  }
  const weights = ordered.map(({ site, estimate, standardError }) => {
    assertFinite(estimate, "estimate", site);
    assertFinite(standardError, "standardError", site);
    const weight = 1 / (standardError * standardError);
    // Also refuses SEs whose square under- or overflows: the weight must be usable.
    if (!(standardError > 0 && Number.isFinite(weight) && weight > 0)) {
      invalidArgument("standardError must be > 0 with a finite weight 1/SE²", {
        field: "standardError",
        site,
        value: standardError,
      });
    }
    return weight;
  });
  const ys = ordered.map((entry) => entry.estimate);
  const k = ordered.length;
  const df = k - 1;
  const sumW = sum(weights);
  const fixed = weightedMean(ys, weights, sumW);
  // Q from deviations, not Σwy² − (Σwy)²/Σw, which cancels when the estimates agree.
  const q = sum(ys.map((y, i) => (weights[i] as number) * (y - fixed) ** 2));
  const c = sumW - sum(weights.map((w) => w * w)) / sumW;
  const tauSquared = df === 0 || q <= df ? 0 : (q - df) / c;
  const randomWeights = weights.map((w) => 1 / (1 / w + tauSquared));
  const sumRandom = sum(randomWeights);
  const random = weightedMean(ys, randomWeights, sumRandom);
  if (![fixed, random, q, tauSquared, sumW, sumRandom].every(Number.isFinite)) {
    invalidArgument("the estimates are too extreme to pool in double precision", {
      field: "estimates",
    });
  }
  return {
    k,
    sites: ordered.map((entry) => entry.site),
    fixed: normalEstimate(fixed, 1 / Math.sqrt(sumW)),
    random: normalEstimate(random, 1 / Math.sqrt(sumRandom)),
    heterogeneity: {
      q,
      df,
      pValue: df === 0 ? null : chiSquareUpperTail(q, df),
      // 1 − df/Q, not (Q − df)/Q, so rounding cannot push I² above 100.
      iSquared: q > df ? 100 * (1 - df / q) : 0,
      tauSquared,
    },
  };
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

function weightedMean(ys: readonly number[], weights: readonly number[], sumW: number): number {
  return sum(ys.map((y, i) => (weights[i] as number) * y)) / sumW;
}
