import { assertHistogramBins } from "./assertHistogramBins.ts";
import { invalidArgument } from "./invalidArgument.ts";
import type { HistogramBin } from "./quantilesFromHistogram.ts";
import { sortedSites } from "./sortedSites.ts";

/** One bin of a released histogram; `count` is `null` when suppressed. */
export interface SiteHistogramBin {
  /** Lower edge (inclusive). */
  readonly lower: number;
  /** Upper edge (exclusive, except for the last bin). */
  readonly upper: number;
  /** The released count (possibly rounded), or `null` if suppressed. */
  readonly count: number | null;
}

/** One site's released histogram. */
export interface SiteHistogram {
  /** The answering site (hospital) id. */
  readonly site: string;
  /** Bins in ascending order; every site must use the same edges. */
  readonly bins: readonly SiteHistogramBin[];
}

/** The histogram of the union of the contributing sites' values. */
export interface PooledHistogram {
  /** The shared bins with counts summed over the contributing sites. */
  readonly bins: readonly HistogramBin[];
  /** True when no site was excluded. */
  readonly complete: boolean;
  /** Sites whose counts were summed, sorted by id. */
  readonly sites: readonly string[];
  /** Sites left out because they suppressed a bin, sorted by id. */
  readonly excludedSites: readonly string[];
}

/**
 * Pools histograms with fixed bins by summing counts bin by bin. With identical edges at
 * every site the sum is exactly the histogram of the union of the sites' values, so
 * `quantilesFromHistogram` on it estimates the pooled quantiles (per-site quantiles cannot
 * be pooled; see there). Edges that differ at all are refused rather than re-binned: a
 * site's bin cannot be split across another site's bins without inventing where its values
 * lie.
 *
 * A site that suppressed any bin is excluded as a whole and listed: summing lower bounds
 * would distort the shape (suppression hits the sparse tails), while dropping the site keeps
 * an exact histogram of a smaller population. Use `poolCountTables` for per-bin lower bounds.
 *
 * @throws CustosError `INVALID_ARGUMENT` naming the field and site for a malformed site id
 * or bins (see `quantilesFromHistogram`) or a sum beyond 2^53 − 1; and with details
 * `{ rule: "sameBinEdges", site, referenceSite, field }` when a site's edges or bin count
 * differ from those of the first site in id order.
 * @example
 * ```ts
 * poolHistograms([
 *   { site: "H1", bins: [{ lower: 0, upper: 10, count: 12 }, { lower: 10, upper: 20, count: 30 }] },
 *   { site: "H2", bins: [{ lower: 0, upper: 10, count: 20 }, { lower: 10, upper: 20, count: 15 }] },
 * ]).bins; // [{ lower: 0, upper: 10, count: 32 }, { lower: 10, upper: 20, count: 45 }]
 * ```
 */
export function poolHistograms(sites: readonly SiteHistogram[]): PooledHistogram {
  const ordered = sortedSites(sites, "sites");
  const reference = ordered[0];
  if (reference === undefined) return { bins: [], complete: true, sites: [], excludedSites: [] };
  const counts: number[] = [];
  const included: string[] = [];
  const excludedSites: string[] = [];
  for (const { site, bins } of ordered) {
    assertHistogramBins(bins, true, site);
    if (bins.length !== reference.bins.length) {
      invalidArgument("every site must use the same bins", {
        rule: "sameBinEdges",
        field: "bins",
        site,
        referenceSite: reference.site,
        expected: reference.bins.length,
        actual: bins.length,
      });
    }
    bins.forEach((bin, index) => {
      const expected = reference.bins[index] as SiteHistogramBin;
      for (const edge of ["lower", "upper"] as const) {
        if (bin[edge] !== expected[edge]) {
          invalidArgument("every site must use the same bin edges", {
            rule: "sameBinEdges",
            field: `bins[${index}].${edge}`,
            site,
            referenceSite: reference.site,
            expected: expected[edge],
            actual: bin[edge],
          });
        }
      }
    });
    if (bins.some((bin) => bin.count === null)) {
      excludedSites.push(site);
      continue;
    }
    included.push(site);
    bins.forEach((bin, index) => {
      const sum = (counts[index] ?? 0) + (bin.count as number);
      if (!Number.isSafeInteger(sum)) {
        invalidArgument("pooled count exceeds 2^53 - 1", { field: `bins[${index}].count`, site });
      }
      counts[index] = sum;
    });
  }
  return {
    bins: reference.bins.map(({ lower, upper }, index) => ({
      lower,
      upper,
      count: counts[index] ?? 0,
    })),
    complete: excludedSites.length === 0,
    sites: included,
    excludedSites,
  };
}
