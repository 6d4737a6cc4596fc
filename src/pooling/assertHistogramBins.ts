import { assertCount, assertFinite, invalidArgument } from "./invalidArgument.ts";

/** The edges of one histogram bin, shared by released and pooled bins. */
interface BinEdges {
  readonly lower: number;
  readonly upper: number;
}

/**
 * Checks a histogram's bins: a non-empty array of bins with finite edges, `lower < upper`,
 * in ascending order without overlap (`upperᵢ ≤ lowerᵢ₊₁`; gaps are allowed and hold no
 * values). Counts must be non-negative safe integers, or `null` where `allowSuppressed`.
 * Open-ended bins (an infinite edge) are refused: interpolation inside them is undefined.
 *
 * @throws CustosError `INVALID_ARGUMENT` naming the field (`bins[i].lower`, …) and the site.
 * @example
 * ```ts
 * assertHistogramBins([{ lower: 0, upper: 10, count: 4 }], false, "H1");
 * ```
 */
export function assertHistogramBins(
  bins: readonly (BinEdges & { readonly count: number | null })[],
  allowSuppressed: boolean,
  site?: string,
): void {
  const at = site === undefined ? {} : { site };
  if (!Array.isArray(bins) || bins.length === 0) {
    invalidArgument("bins must be a non-empty array", { field: "bins", ...at });
  }
  bins.forEach((bin, index) => {
    const field = `bins[${index}]`;
    if (typeof bin !== "object" || bin === null) {
      invalidArgument(`${field} must be an object`, { field, ...at });
    }
    assertFinite(bin.lower, `${field}.lower`, site);
    assertFinite(bin.upper, `${field}.upper`, site);
    if (!(bin.lower < bin.upper)) {
      invalidArgument(`${field}.lower must be below its upper edge`, { field, ...at });
    }
    const previous = bins[index - 1];
    if (previous !== undefined && bin.lower < previous.upper) {
      invalidArgument(`${field} must start at or after the previous bin's upper edge`, {
        field: `${field}.lower`,
        ...at,
      });
    }
    if (!(allowSuppressed && bin.count === null)) assertCount(bin.count, `${field}.count`, site);
  });
}
