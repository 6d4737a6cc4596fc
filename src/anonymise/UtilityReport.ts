import type { UtilityMetric } from "./AnonymiseConfig.ts";

/** Utility of a release under every supported metric, plus the one that was minimised. */
export interface UtilityReport {
  readonly objective: UtilityMetric;
  /** Value of the objective metric. */
  readonly value: number;
  readonly loss: number;
  /** ARX's Loss per quasi-identifier before aggregation (same order as the transformation). */
  readonly lossByAttribute: readonly number[];
  readonly entropy: number;
  readonly discernibility: number;
  readonly precision: number;
}
