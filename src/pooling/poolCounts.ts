import { assertCount, invalidArgument } from "./invalidArgument.ts";
import { sortedSites } from "./sortedSites.ts";

/** One site's released count; `null` when disclosure control suppressed it. */
export interface SiteCount {
  /** The answering site (hospital) id. */
  readonly site: string;
  /** The released count (possibly rounded), or `null` if suppressed. */
  readonly count: number | null;
}

/** A count summed over sites. */
export interface PooledCount {
  /**
   * Sum of the released counts. When `complete` is false it is a lower bound: the suppressed
   * cells are unknown but non-negative.
   */
  readonly value: number;
  /** True when no site suppressed its count, so `value` is the sum of all sites' counts. */
  readonly complete: boolean;
  /** Every site that answered, sorted by id. */
  readonly sites: readonly string[];
  /** Sites whose count was suppressed, sorted by id. */
  readonly suppressedSites: readonly string[];
}

/**
 * Pools one count over sites by summation. A suppressed (`null`) count adds nothing, so the
 * sum becomes a lower bound and the result names the sites that suppressed; the caller
 * reports it as "at least `value`". Rounded counts are summed as released: the pooled
 * rounding error is at most the sum of the sites' half rounding bases, and adding more sites
 * does not let anyone undo a site's rounding.
 *
 * @throws CustosError `INVALID_ARGUMENT` naming the field and site for a malformed site id,
 * a count that is neither `null` nor a non-negative safe integer, or a sum beyond 2^53 − 1.
 * @example
 * ```ts
 * poolCounts([{ site: "H1", count: 120 }, { site: "H2", count: null }]);
 * // { value: 120, complete: false, sites: ["H1", "H2"], suppressedSites: ["H2"] }
 * ```
 */
export function poolCounts(sites: readonly SiteCount[]): PooledCount {
  let value = 0;
  const suppressedSites: string[] = [];
  const ordered = sortedSites(sites, "sites");
  for (const { site, count } of ordered) {
    if (count === null) {
      suppressedSites.push(site);
      continue;
    }
    assertCount(count, "count", site);
    value += count;
    if (!Number.isSafeInteger(value)) {
      invalidArgument("pooled count exceeds 2^53 - 1", { field: "count", site });
    }
  }
  return {
    value,
    complete: suppressedSites.length === 0,
    sites: ordered.map((entry) => entry.site),
    suppressedSites,
  };
}
