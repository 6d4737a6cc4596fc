/** Re-identification risk under one attacker model. */
export interface AttackerRisk {
  /** Highest risk of any released record. */
  readonly highest: number;
  /** Mean risk over released records. */
  readonly average: number;
  /** Released records at the highest risk. */
  readonly recordsAtHighestRisk: number;
}

/** Size statistics of the released equivalence classes. */
export interface ClassStatistics {
  readonly count: number;
  readonly minSize: number;
  readonly maxSize: number;
  readonly averageSize: number;
}

/**
 * Re-identification risks of a release. The dataset is taken as its own population (no
 * population model), as ARX does without one: a prosecutor knows the target is in the data,
 * a journalist links against the same population, so both see 1/|class| per record; a
 * marketer re-identifies as many records as there are classes on average.
 */
export interface RiskReport {
  readonly prosecutor: AttackerRisk;
  readonly journalist: AttackerRisk;
  /** Expected fraction of records re-identified by linking everything. */
  readonly marketer: { readonly average: number };
  readonly classes: ClassStatistics;
  readonly releasedRecords: number;
  readonly suppressedRecords: number;
}

/**
 * Computes the risk report of a release from the sizes of its released equivalence classes.
 *
 * @throws never; an empty release reports zero risk.
 * @example
 * ```ts
 * computeRiskReport([5, 7, 5], 3).prosecutor.highest; // 0.2
 * ```
 */
export function computeRiskReport(
  classSizes: Iterable<number>,
  suppressedRecords: number,
): RiskReport {
  let count = 0;
  let records = 0;
  let minSize = Number.POSITIVE_INFINITY;
  let maxSize = 0;
  let atMin = 0;
  for (const size of classSizes) {
    if (size <= 0) continue;
    count++;
    records += size;
    if (size < minSize) {
      minSize = size;
      atMin = 0;
    }
    if (size === minSize) atMin += size;
    if (size > maxSize) maxSize = size;
  }
  const empty = count === 0;
  const attacker: AttackerRisk = {
    highest: empty ? 0 : 1 / minSize,
    average: empty ? 0 : count / records,
    recordsAtHighestRisk: empty ? 0 : atMin,
  };
  return {
    prosecutor: attacker,
    journalist: { ...attacker },
    marketer: { average: attacker.average },
    classes: {
      count,
      minSize: empty ? 0 : minSize,
      maxSize,
      averageSize: empty ? 0 : records / count,
    },
    releasedRecords: records,
    suppressedRecords,
  };
}
