import { assertCount } from "./invalidArgument.ts";
import { mantelHaenszel } from "./mantelHaenszel.ts";
import { type Heterogeneity, metaAnalyse } from "./metaAnalyse.ts";
import { oddsRatio } from "./oddsRatio.ts";
import { type RatioEstimate, ratioEstimate, type TableRatio } from "./ratioEstimate.ts";
import { riskRatio } from "./riskRatio.ts";
import { sortedSites } from "./sortedSites.ts";
import { assertRatioMeasure, type RatioMeasure, type TwoByTwoTable } from "./TwoByTwoTable.ts";

/** One site's released 2×2 table (see {@link TwoByTwoTable}); `null` cells were suppressed. */
export interface SiteTwoByTwo {
  /** The answering site (hospital) id. */
  readonly site: string;
  /** Exposed with the outcome, or `null` if suppressed. */
  readonly a: number | null;
  /** Exposed without the outcome, or `null` if suppressed. */
  readonly b: number | null;
  /** Not exposed with the outcome, or `null` if suppressed. */
  readonly c: number | null;
  /** Not exposed without the outcome, or `null` if suppressed. */
  readonly d: number | null;
}

/** One site's own ratio estimate. */
export interface SiteRatio extends TableRatio {
  /** The site id. */
  readonly site: string;
}

/** A site left out of the pooled estimates, and why. */
export interface ExcludedSite {
  /** The site id. */
  readonly site: string;
  /**
   * `"suppressed"`: a cell was suppressed, so no estimate is possible; `"uninformative"`:
   * an empty exposure group, or no events or no non-events (see `isInformative`).
   */
  readonly reason: "suppressed" | "uninformative";
}

/** Odds or risk ratios pooled over sites. */
export interface PooledTwoByTwo {
  /** The measure pooled. */
  readonly measure: RatioMeasure;
  /** Each contributing site's own estimate, sorted by site id. */
  readonly perSite: readonly SiteRatio[];
  /** Mantel–Haenszel estimate; `null` when undefined (see `mantelHaenszel`). */
  readonly mantelHaenszel: RatioEstimate | null;
  /** Inverse-variance fixed-effect estimate; `null` without contributing sites. */
  readonly fixed: RatioEstimate | null;
  /** DerSimonian–Laird random-effects estimate; `null` without contributing sites. */
  readonly random: RatioEstimate | null;
  /** Q, its p-value, I² and τ² (log scale); `null` without contributing sites. */
  readonly heterogeneity: Heterogeneity | null;
  /** Sites whose tables entered the pooled estimates, sorted by id. */
  readonly sites: readonly string[];
  /** Sites left out, sorted by id. */
  readonly excludedSites: readonly ExcludedSite[];
}

/**
 * Pools per-site 2×2 tables of exposure by outcome into a common odds ratio or risk ratio
 * three ways: Mantel–Haenszel (`mantelHaenszel`, from the raw cells), and the inverse-variance
 * fixed-effect and DerSimonian–Laird random-effects meta-analysis (`metaAnalyse`) of the
 * sites' log ratios with Woolf/Katz standard errors (`oddsRatio`, `riskRatio`; 1/2 added to
 * every cell of a table with a zero cell, for the per-site estimates only). Heterogeneity
 * (Cochran's Q, I², τ²) is that of the log ratios.
 *
 * A site with any suppressed cell is excluded from every pooled estimate and listed, as is
 * a site whose table carries no information on the ratio: a suppressed cell could be any
 * small count, and filling it in would invent data. All pooled estimates use the same set
 * of sites.
 *
 * @throws CustosError `INVALID_ARGUMENT` naming the field and site for a bad `measure`, a
 * malformed or duplicate site id, or a cell that is neither `null` nor a non-negative safe
 * integer.
 * @example
 * ```ts
 * const pooled = poolTwoByTwo(
 *   [
 *     { site: "H1", a: 4, b: 119, c: 11, d: 128 },
 *     { site: "H2", a: 6, b: 300, c: 29, d: 274 },
 *     { site: "H3", a: null, b: 228, c: 11, d: 209 },
 *   ],
 *   "riskRatio",
 * );
 * pooled.random?.ratio; // the random-effects risk ratio of H1 and H2
 * pooled.excludedSites; // [{ site: "H3", reason: "suppressed" }]
 * ```
 */
export function poolTwoByTwo(
  sites: readonly SiteTwoByTwo[],
  measure: RatioMeasure,
): PooledTwoByTwo {
  assertRatioMeasure(measure);
  const estimate = measure === "oddsRatio" ? oddsRatio : riskRatio;
  const tables: TwoByTwoTable[] = [];
  const perSite: SiteRatio[] = [];
  const excludedSites: ExcludedSite[] = [];
  for (const entry of sortedSites(sites, "sites")) {
    const { site, a, b, c, d } = entry;
    // Released cells are checked even beside a suppressed one: a malformed answer is an
    // error to report, not a suppression to pass over.
    for (const cell of ["a", "b", "c", "d"] as const) {
      if (entry[cell] !== null) assertCount(entry[cell], cell, site);
    }
    if (a === null || b === null || c === null || d === null) {
      excludedSites.push({ site, reason: "suppressed" });
      continue;
    }
    const table = { a, b, c, d };
    const ratio = estimate(table);
    if (ratio === null) {
      excludedSites.push({ site, reason: "uninformative" });
      continue;
    }
    tables.push(table);
    perSite.push({ site, ...ratio });
  }
  const meta =
    perSite.length === 0
      ? null
      : metaAnalyse(
          perSite.map(({ site, estimate: log, standardError }) => ({
            site,
            estimate: log,
            standardError,
          })),
        );
  return {
    measure,
    perSite,
    mantelHaenszel: mantelHaenszel(tables, measure),
    fixed: meta === null ? null : ratioEstimate(meta.fixed.estimate, meta.fixed.standardError),
    random: meta === null ? null : ratioEstimate(meta.random.estimate, meta.random.standardError),
    heterogeneity: meta?.heterogeneity ?? null,
    sites: perSite.map((entry) => entry.site),
    excludedSites,
  };
}
