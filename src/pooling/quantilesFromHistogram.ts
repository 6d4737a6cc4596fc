import { assertHistogramBins } from "./assertHistogramBins.ts";
import { assertFinite, invalidArgument } from "./invalidArgument.ts";

/** One bin of a histogram: values in [lower, upper) and how many there are. */
export interface HistogramBin {
  /** Lower edge (inclusive). */
  readonly lower: number;
  /** Upper edge (exclusive, except for the last bin). */
  readonly upper: number;
  /** Number of values in the bin. */
  readonly count: number;
}

/**
 * Estimates quantiles from a histogram by linear interpolation within bins (the grouped-data
 * quantile, e.g. the median L + (N/2 − F)/f · w): values are taken as spread evenly across
 * their bin, so the cumulative count is piecewise linear, and the p-quantile is the smallest
 * x at which it reaches p·N. The error is less than the width of the bin holding the
 * quantile; p = 0 and p = 1 give the edges of the outermost non-empty bins.
 *
 * This is how quantiles are pooled across hospitals. Per-site quantiles cannot be pooled:
 * the median of the union is not any function of the sites' medians (or of any fixed set of
 * per-site quantiles), because it depends on how the sites' distributions interleave. Counts
 * in fixed bins, in contrast, add: the pooled histogram (see `poolHistograms`) is exactly
 * the histogram of the union, so its quantiles are the union's quantiles up to the
 * within-bin interpolation.
 *
 * @throws CustosError `INVALID_ARGUMENT` naming the field for bins that are empty, not
 * finite, not ascending, overlapping, or with a count that is not a non-negative safe
 * integer (suppressed `null` counts included: pool or drop them first); a histogram with no
 * values; a probability outside [0, 1].
 * @example
 * ```ts
 * const bins = [
 *   { lower: 0, upper: 10, count: 10 },
 *   { lower: 10, upper: 20, count: 30 },
 * ];
 * quantilesFromHistogram(bins, [0.25, 0.5]); // [10, 13.333…]
 * ```
 */
export function quantilesFromHistogram(
  bins: readonly HistogramBin[],
  probabilities: readonly number[],
): number[] {
  assertHistogramBins(bins, false);
  if (!Array.isArray(probabilities)) {
    invalidArgument("probabilities must be an array", { field: "probabilities" });
  }
  const total = bins.reduce((sum, bin) => sum + bin.count, 0);
  if (total === 0) invalidArgument("the histogram holds no values", { field: "bins" });
  return probabilities.map((p, index) => {
    const field = `probabilities[${index}]`;
    assertFinite(p, field);
    if (p < 0 || p > 1) invalidArgument(`${field} must be in [0, 1]`, { field, value: p });
    const target = p * total;
    // The quantile lies in the first non-empty bin whose cumulative count reaches p·N; one
    // exists because the last non-empty bin's cumulative count is N ≥ p·N.
    let below = 0;
    let holder = bins[0] as HistogramBin;
    let belowHolder = 0;
    for (const bin of bins) {
      if (bin.count === 0) continue;
      holder = bin;
      belowHolder = below;
      if (below + bin.count >= target) break;
      below += bin.count;
    }
    const fraction = Math.min(1, Math.max(0, (target - belowHolder) / holder.count));
    return holder.lower + fraction * (holder.upper - holder.lower);
  });
}
