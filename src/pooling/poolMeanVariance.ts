import { assertCount, assertFinite, invalidArgument } from "./invalidArgument.ts";
import { sortedSites } from "./sortedSites.ts";

/** One site's released summary of a numeric variable; `null` fields were suppressed. */
export interface SiteMoments {
  /** The answering site (hospital) id. */
  readonly site: string;
  /** Number of values, or `null` if suppressed. */
  readonly n: number | null;
  /** Mean of the values (needed when n ≥ 1), or `null` if suppressed. */
  readonly mean: number | null;
  /** Sample variance, divisor n − 1 (needed when n ≥ 2), or `null` if suppressed. */
  readonly variance: number | null;
}

/** Mean and variance of the union of the contributing sites' values. */
export interface PooledMoments {
  /** Total number of values over the contributing sites. */
  readonly n: number;
  /** Mean of the union; `null` when n = 0. */
  readonly mean: number | null;
  /** Sample variance (divisor n − 1) of the union; `null` when n < 2. */
  readonly variance: number | null;
  /** True when no site was excluded, so the figures describe every answering site. */
  readonly complete: boolean;
  /** Sites whose values entered the figures, sorted by id. */
  readonly sites: readonly string[];
  /** Sites left out because a field they needed was suppressed, sorted by id. */
  readonly excludedSites: readonly string[];
}

/** n, mean and M2 = Σ(x − mean)² of a group of values: what pooling needs and keeps exact. */
interface Moments {
  readonly n: number;
  readonly mean: number;
  readonly m2: number;
}

/**
 * Chan, Golub & LeVeque's update for two groups: the union's M2 is both groups' M2 plus the
 * between-group term δ²·nA·nB/n. It works from deviations, so it never forms the raw sums
 * Σx and Σx², whose difference cancels catastrophically when the mean is large relative to
 * the spread.
 */
function combine(x: Moments, y: Moments): Moments {
  const n = x.n + y.n;
  if (n === 0) return x;
  const delta = y.mean - x.mean;
  return {
    n,
    mean: x.mean + delta * (y.n / n),
    m2: x.m2 + y.m2 + delta * delta * ((x.n * y.n) / n),
  };
}

/** Pairwise (tree) reduction: rounding error grows with log(k), not k (Chan et al. 1979). */
function combineAll(groups: readonly Moments[], from: number, to: number): Moments {
  if (to - from === 1) return groups[from] as Moments;
  const middle = (from + to) >>> 1;
  return combine(combineAll(groups, from, middle), combineAll(groups, middle, to));
}

/**
 * Pools per-site n, mean and sample variance into the exact n, mean and sample variance
 * (divisor n − 1) of the union of the sites' values: the total sum of squares is the sum of
 * the within-site sums of squares, (nᵢ − 1)·sᵢ², plus the between-site sum of squares,
 * Σ nᵢ·(meanᵢ − mean)². It is combined pairwise with the update of Chan, Golub & LeVeque
 * (1979, "Updating formulae and a pairwise algorithm for computing sample variances"),
 * which stays accurate where the textbook Σx² − n·mean² form loses every digit.
 *
 * A site is excluded (and listed) when a field it needs was suppressed: n always, the mean
 * when n ≥ 1, the variance when n ≥ 2. A site with n = 0 contributes nothing and is not
 * excluded. Sites are combined in id order, so the answer order never changes the result.
 *
 * @throws CustosError `INVALID_ARGUMENT` naming the field and site for a malformed site id,
 * an n that is not a non-negative safe integer, a non-finite mean, a variance that is not a
 * finite number ≥ 0, a total n beyond 2^53 − 1, or values so large the pooled variance
 * overflows.
 * @example
 * ```ts
 * poolMeanVariance([
 *   { site: "H1", n: 3, mean: 2, variance: 1 }, // values 1, 2, 3
 *   { site: "H2", n: 2, mean: 5, variance: 2 }, // values 4, 6
 * ]);
 * // { n: 5, mean: 3.2, variance: ≈3.7, complete: true, sites: ["H1", "H2"], excludedSites: [] }
 * ```
 */
export function poolMeanVariance(sites: readonly SiteMoments[]): PooledMoments {
  const groups: Moments[] = [];
  const included: string[] = [];
  const excludedSites: string[] = [];
  let total = 0;
  for (const { site, n, mean, variance } of sortedSites(sites, "sites")) {
    if (n !== null) assertCount(n, "n", site);
    if (mean !== null) assertFinite(mean, "mean", site);
    if (variance !== null) {
      assertFinite(variance, "variance", site);
      if (variance < 0) invalidArgument("variance must be >= 0", { field: "variance", site });
    }
    if (n === null || (n >= 1 && mean === null) || (n >= 2 && variance === null)) {
      excludedSites.push(site);
      continue;
    }
    included.push(site);
    total += n;
    if (!Number.isSafeInteger(total)) {
      invalidArgument("pooled n exceeds 2^53 - 1", { field: "n", site });
    }
    if (n === 0) continue;
    // The exclusion test above guarantees the fields each n needs; for n = 1 the
    // within-site sum of squares is 0 whatever variance was reported.
    groups.push({ n, mean: mean as number, m2: n >= 2 ? (n - 1) * (variance as number) : 0 });
  }
  const pooled =
    groups.length === 0 ? { n: 0, mean: 0, m2: 0 } : combineAll(groups, 0, groups.length);
  if (!Number.isFinite(pooled.mean) || !Number.isFinite(pooled.m2)) {
    invalidArgument("the sites' values are too large to pool in double precision", {
      field: "variance",
    });
  }
  return {
    n: pooled.n,
    mean: pooled.n === 0 ? null : pooled.mean,
    variance: pooled.n < 2 ? null : pooled.m2 / (pooled.n - 1),
    complete: excludedSites.length === 0,
    sites: included,
    excludedSites,
  };
}
