import type { DisclosureReport, ReleasedTable } from "../disclosure/index.ts";
import type { ErrorCode } from "../errors/index.ts";
import type { AggregateDimension } from "./QueryAggregates.ts";

/**
 * Why a measure was withheld: a statistic below `minN` persons or failing the dominance rule,
 * or a table with a small cell that only the public grand total could have hidden.
 */
export type WithheldReason = "minN" | "dominance" | "unprotectable";

/**
 * A measure as released: counts are `null` where suppressed. Tables carry their margins
 * (the last category of each dimension is the total), as {@link ReleasedTable} does.
 */
export type ReleasedMeasure =
  | { readonly name: string; readonly type: "count"; readonly n: number | null }
  | { readonly name: string; readonly type: "histogram"; readonly table: ReleasedTable }
  | {
      readonly name: string;
      readonly type: "incidenceRate";
      readonly dimension: AggregateDimension;
      /** Per category, then the total; null where suppressed. */
      readonly persons: readonly (number | null)[];
      readonly events: readonly (number | null)[];
      /** Days at risk, released where both persons and events of the stratum are. */
      readonly personDays: readonly (number | null)[];
    }
  | {
      readonly name: string;
      readonly type: "summary";
      readonly n: number | null;
      readonly mean: number | null;
      readonly variance: number | null;
      readonly withheld: WithheldReason | null;
    }
  | {
      readonly name: string;
      readonly type: "quantiles";
      /** Fixed bins (first and last open), counts null where suppressed. */
      readonly bins: readonly {
        readonly lower: number | null;
        readonly upper: number | null;
        readonly count: number | null;
      }[];
      readonly probabilities: readonly number[];
    }
  | { readonly name: string; readonly type: "twoByTwo"; readonly table: ReleasedTable };

/** One attrition step as released (null where withheld). */
export interface ReleasedAttritionStep {
  readonly step: string;
  readonly persons: number | null;
}

/** The statistics a hospital releases for one query. */
export interface ReleasedStatistics {
  readonly attrition: readonly ReleasedAttritionStep[];
  readonly measures: readonly ReleasedMeasure[];
}

/** Rules for statistics other than counts (counts follow the disclosure policy). */
export interface StatisticRules {
  /** A mean or variance needs at least this many persons (default: the minimum cell). */
  readonly minN: number;
  /**
   * (n, k) dominance: withheld when the `contributors` largest |values| make up more than
   * `share` of Σ|values| (default 2 and 0.8).
   */
  readonly dominance: { readonly contributors: 2; readonly share: number };
}

/**
 * The custodian's record of one query's disclosure decisions: the per-table reports and the
 * other rules applied. Its canonical hash is anchored on chain; it is not given to the
 * researcher (it tells which hidden cells are small).
 */
export interface QueryDisclosureReport {
  readonly schema: "custos.query-disclosure-report/1";
  readonly status: "released" | "declined";
  readonly decline: null | {
    readonly code: ErrorCode;
    readonly detail: Readonly<Record<string, number>>;
  };
  readonly request: {
    readonly requester: string | null;
    readonly hospital: string | null;
    readonly queryId: string | null;
  };
  readonly minCellSize: number;
  readonly statisticRules: StatisticRules;
  readonly differencing: { readonly checked: boolean; readonly compared: number };
  readonly attrition: { readonly withheld: readonly number[] };
  readonly measures: readonly {
    readonly name: string;
    readonly tables: readonly DisclosureReport[];
    readonly withheld: WithheldReason | null;
  }[];
  /** ε charged for this query, micro-units. */
  readonly epsilonMicro: number;
}

/** Outcome of releasing a query's aggregates: a decline is an expected outcome. */
export type QueryRelease =
  | {
      readonly status: "released";
      readonly statistics: ReleasedStatistics;
      readonly report: QueryDisclosureReport;
      readonly reportHash: `0x${string}`;
      readonly epsilonMicro: number;
    }
  | {
      readonly status: "declined";
      /** `QUERY_COHORT_TOO_SMALL`, `DISCLOSURE_DIFFERENCING` or `DISCLOSURE_BUDGET_EXCEEDED`. */
      readonly code: ErrorCode;
      readonly report: QueryDisclosureReport;
      readonly reportHash: `0x${string}`;
      readonly epsilonMicro: number;
    };
