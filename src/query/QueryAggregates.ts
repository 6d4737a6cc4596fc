/** A dimension of a table with its category labels. */
export interface AggregateDimension {
  readonly name: string;
  readonly categories: readonly string[];
}

/** Per-stratum totals of an incidence rate. */
export interface IncidenceStratum {
  /** Persons at risk (no outcome before the time at risk, at least one day at risk). */
  readonly persons: number;
  /** Persons with an outcome in their time at risk (the first counts). */
  readonly events: number;
  /** Days at risk, to the first outcome or the end of the time at risk or observation. */
  readonly personDays: number;
}

/**
 * Exact sums of one value per person, as decimal strings with the engine's scale (e.g.
 * `"10922.7000"`): exact so that engines agree to the last digit and sites pool exactly.
 */
export interface ValueSums {
  readonly n: number;
  readonly total: string;
  readonly totalSquares: string;
  /** Σ|x| and the sum of the two largest |x|: the dominance rule's inputs. */
  readonly totalAbs: string;
  readonly topTwoAbs: string;
}

/** One bin of a fixed-bin histogram; `lower` null is −∞, `upper` null is +∞. */
export interface HistogramBin {
  readonly lower: number | null;
  readonly upper: number | null;
  readonly count: number;
}

/**
 * A measure's exact aggregates at one hospital, before disclosure control. Custodian-side
 * only: this never leaves the hospital; the release is built from it.
 */
export type MeasureAggregate =
  | { readonly name: string; readonly type: "count"; readonly n: number }
  | {
      readonly name: string;
      readonly type: "histogram";
      readonly dimensions: readonly AggregateDimension[];
      /** Interior counts, row-major over the dimensions' categories. */
      readonly counts: readonly number[];
    }
  | {
      readonly name: string;
      readonly type: "incidenceRate";
      readonly dimension: AggregateDimension;
      readonly strata: readonly IncidenceStratum[];
    }
  | { readonly name: string; readonly type: "summary"; readonly sums: ValueSums }
  | {
      readonly name: string;
      readonly type: "quantiles";
      readonly bins: readonly HistogramBin[];
      readonly probabilities: readonly number[];
    }
  | {
      readonly name: string;
      readonly type: "twoByTwo";
      /** Exposure (yes, no) × outcome (yes, no), row-major. */
      readonly counts: readonly [number, number, number, number];
    };

/** One step of the attrition report: persons left after it. */
export interface AttritionStep {
  readonly step: string;
  readonly persons: number;
}

/** The exact, unreleased results of a spec at one hospital. */
export interface QueryAggregates {
  readonly attrition: readonly AttritionStep[];
  readonly cohortSize: number;
  readonly measures: readonly MeasureAggregate[];
}
