import { type NormalEstimate, normalEstimate } from "./normalEstimate.ts";

/**
 * A ratio (odds ratio or risk ratio) analysed on the log scale: the {@link NormalEstimate}
 * fields are those of the log ratio, and the ratio-scale figures are their exponentials,
 * so the interval is asymmetric around the ratio.
 */
export interface RatioEstimate extends NormalEstimate {
  /** exp(estimate). */
  readonly ratio: number;
  /** exp(lower): the lower 95 % limit of the ratio. */
  readonly ratioLower: number;
  /** exp(upper): the upper 95 % limit of the ratio. */
  readonly ratioUpper: number;
}

/**
 * Builds a {@link RatioEstimate} from a log ratio and its standard error.
 *
 * @example
 * ```ts
 * ratioEstimate(Math.log(2), 0.1).ratioLower; // ≈ 1.644
 * ```
 */
export function ratioEstimate(logRatio: number, standardError: number): RatioEstimate {
  const log = normalEstimate(logRatio, standardError);
  return {
    ...log,
    ratio: Math.exp(log.estimate),
    ratioLower: Math.exp(log.lower),
    ratioUpper: Math.exp(log.upper),
  };
}

/** A ratio estimated from one 2×2 table. */
export interface TableRatio extends RatioEstimate {
  /** True when 1/2 was added to every cell because one was 0. */
  readonly corrected: boolean;
}
