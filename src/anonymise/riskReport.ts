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

/** Risk of records linked against a k-map population table. */
export interface PopulationRisk {
  /** Fewest population records matching a released class (the k the release achieves). */
  readonly minClassSize: number;
  /** 1 / `minClassSize`. */
  readonly highest: number;
  /** Released records in the classes at the highest risk. */
  readonly recordsAtHighestRisk: number;
  /** Mean over released records of 1 / (population records matching its class). */
  readonly average: number;
}

/**
 * Re-identification risks of a release. Without a population table the dataset is taken as
 * its own population, as ARX does without a population model: a prosecutor knows the target
 * is in the data, a journalist links against the same population, so both see 1/|class| per
 * record; a marketer re-identifies as many records as there are classes on average. With a
 * k-map population table, the journalist and marketer link against the population instead:
 * a record's risk is 1/(population records matching its class), reported in `population`.
 */
export interface RiskReport {
  readonly prosecutor: AttackerRisk;
  readonly journalist: AttackerRisk;
  /** Expected fraction of records re-identified by linking everything. */
  readonly marketer: { readonly average: number };
  readonly classes: ClassStatistics;
  readonly releasedRecords: number;
  readonly suppressedRecords: number;
  /** Present when a k-map model has a population table. */
  readonly population?: PopulationRisk;
}

function populationRisk(
  classSizes: readonly number[],
  populationSizes: readonly number[],
): PopulationRisk {
  let minClassSize = Number.POSITIVE_INFINITY;
  let atMin = 0;
  let records = 0;
  let sum = 0;
  classSizes.forEach((size, c) => {
    const population = populationSizes[c] as number;
    if (size <= 0) return;
    records += size;
    sum += size / population;
    if (population < minClassSize) {
      minClassSize = population;
      atMin = 0;
    }
    if (population === minClassSize) atMin += size;
  });
  if (records === 0) return { minClassSize: 0, highest: 0, recordsAtHighestRisk: 0, average: 0 };
  return {
    minClassSize,
    highest: 1 / minClassSize,
    recordsAtHighestRisk: atMin,
    average: sum / records,
  };
}

/**
 * Computes the risk report of a release from the sizes of its released equivalence classes
 * and, with a k-map population table, the population records matching each (same order).
 *
 * @throws never; an empty release reports zero risk.
 * @example
 * ```ts
 * computeRiskReport([5, 7, 5], 3).prosecutor.highest; // 0.2
 * computeRiskReport([5, 7], 0, [20, 70]).journalist.highest; // 0.05
 * ```
 */
export function computeRiskReport(
  classSizes: readonly number[],
  suppressedRecords: number,
  populationSizes?: readonly number[],
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
  const population =
    populationSizes === undefined ? undefined : populationRisk(classSizes, populationSizes);
  return {
    prosecutor: attacker,
    journalist:
      population === undefined
        ? { ...attacker }
        : {
            highest: population.highest,
            average: population.average,
            recordsAtHighestRisk: population.recordsAtHighestRisk,
          },
    marketer: { average: population === undefined ? attacker.average : population.average },
    classes: {
      count,
      minSize: empty ? 0 : minSize,
      maxSize,
      averageSize: empty ? 0 : records / count,
    },
    releasedRecords: records,
    suppressedRecords,
    ...(population === undefined ? {} : { population }),
  };
}
