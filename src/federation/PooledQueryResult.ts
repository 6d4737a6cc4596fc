import type { PooledTwoByTwo } from "../pooling/index.ts";
import type { AggregateDimension, MeasureType } from "../query/index.ts";

/**
 * Why a hospital's measure was left out of the pooled figures as a whole: a summary it
 * withheld itself (`minN`, `dominance`, `unprotectable`), a 2×2 table without information on the ratio
 * (`uninformative`), or a measure missing from its document or not of the spec's shape
 * (`malformed`).
 */
export type SiteExclusion = "minN" | "dominance" | "unprotectable" | "uninformative" | "malformed";

/** Who is behind one pooled measure. Hospital ids are ascending. */
export interface MeasureSites {
  /** Hospitals whose values entered the pooled figures. */
  readonly contributed: readonly number[];
  /**
   * Hospitals that suppressed at least one value of the measure: a suppressed count makes
   * its pooled cell a lower bound; a quantile histogram or 2×2 table with a suppressed
   * cell leaves that hospital out of the estimate.
   */
  readonly suppressed: readonly number[];
  /** Hospitals left out as a whole, and why. */
  readonly withheld: readonly { readonly hospitalId: number; readonly reason: SiteExclusion }[];
}

/**
 * A count table summed cell by cell over hospitals, margins included, in the layout of
 * `ReleasedTable` (row-major over `extendedShape`; the last category of each dimension is
 * the total).
 */
export interface PooledTable {
  readonly dimensions: readonly AggregateDimension[];
  readonly extendedShape: readonly number[];
  /** Sum of the released cells; null where fewer than the minimum of sites released it. */
  readonly values: readonly (number | null)[];
  /** Per cell: some hospital suppressed it, so the sum is a lower bound. */
  readonly lowerBound: readonly boolean[];
}

/** One stratum of a pooled incidence rate (the last stratum is the total). */
export interface PooledIncidenceStratum {
  readonly category: string;
  /** Hospitals that released this stratum's persons, events and days at risk. */
  readonly hospitals: readonly number[];
  /** Sums over those hospitals; null when they are fewer than the minimum of sites. */
  readonly persons: number | null;
  readonly events: number | null;
  readonly personDays: number | null;
  /** Events per 1,000 person-years (365.25 days), with the exact Poisson 95 % interval. */
  readonly ratePer1000PersonYears: number | null;
  readonly lower: number | null;
  readonly upper: number | null;
}

/** A fixed bin of a pooled quantile histogram (`lower` null is −∞, `upper` null is +∞). */
export interface PooledBin {
  readonly lower: number | null;
  readonly upper: number | null;
  readonly count: number;
}

/** The figures of one pooled measure, by type; every figure is null when not released. */
export type PooledFigures =
  | { readonly type: "count"; readonly value: number | null; readonly lowerBound: boolean }
  | { readonly type: "histogram"; readonly table: PooledTable | null }
  | {
      readonly type: "incidenceRate";
      readonly dimension: AggregateDimension;
      readonly strata: readonly PooledIncidenceStratum[] | null;
    }
  | {
      readonly type: "summary";
      readonly n: number | null;
      readonly mean: number | null;
      /** Sample variance of the union of the hospitals' values. */
      readonly variance: number | null;
    }
  | {
      readonly type: "quantiles";
      /** The hospitals' histograms summed bin by bin (underflow and overflow included). */
      readonly bins: readonly PooledBin[] | null;
      readonly probabilities: readonly number[];
      /** Read off the pooled bins; null for one lying in the open underflow or overflow bin. */
      readonly quantiles: readonly (number | null)[] | null;
    }
  | {
      readonly type: "twoByTwo";
      /** Exposure (yes, no, total) × outcome (yes, no, total), summed. */
      readonly table: PooledTable | null;
      /** Mantel–Haenszel, fixed- and random-effects (DerSimonian–Laird) odds ratios, with I². */
      readonly oddsRatio: PooledTwoByTwo | null;
      /** The same for the risk ratio. */
      readonly riskRatio: PooledTwoByTwo | null;
    };

/** One measure of the spec, pooled over the verified hospitals. */
export type PooledMeasure = {
  readonly name: string;
  readonly type: MeasureType;
  /** False when fewer hospitals than the minimum of sites contributed. */
  readonly released: boolean;
  /** Why it is not released (`tooFewSites`), or null. */
  readonly reason: "tooFewSites" | null;
  readonly sites: MeasureSites;
} & PooledFigures;

/** One attrition step summed over hospitals. */
export interface PooledAttritionStep {
  readonly step: string;
  /** Sum of the released steps; null where fewer than the minimum of sites released it. */
  readonly persons: number | null;
  /** Some hospital withheld this step, so the sum is a lower bound. */
  readonly lowerBound: boolean;
  /** Hospitals that released it. */
  readonly hospitals: readonly number[];
  /** Hospitals that withheld it. */
  readonly withheld: readonly number[];
}

/** A query's statistics pooled over the hospitals whose results were verified. */
export interface PooledQueryResult {
  readonly schema: "custos.pooled-query-result/1";
  readonly specHash: `0x${string}`;
  /** A figure is released only with at least this many hospitals behind it. */
  readonly minimumSites: number;
  /** The verified hospitals pooled, ascending. */
  readonly hospitals: readonly number[];
  readonly attrition: {
    readonly steps: readonly PooledAttritionStep[];
    /** Hospitals whose attrition steps differ from the spec's (left out). */
    readonly malformed: readonly number[];
  };
  readonly measures: readonly PooledMeasure[];
}
