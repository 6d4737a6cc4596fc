import type { UtilityMetric } from "./AnonymiseConfig.ts";
import type { NodeEvaluation } from "./NodeEvaluator.ts";
import type { PreparedData } from "./prepareData.ts";

/**
 * A utility metric over transformations: `bound` is a lower bound of `value` for every
 * suppression outcome, computed from the levels alone and non-decreasing under
 * generalisation (the search prunes with it); `value` is the metric of an anonymous node.
 * Bound and value use the same floating-point expressions, so `bound ≤ value` holds exactly.
 */
export interface MetricModel {
  bound(levels: ArrayLike<number>): number;
  value(levels: ArrayLike<number>, evaluation: NodeEvaluation): number;
}

/** Per quasi-identifier, records suppressed per leaf. */
function suppressedPerLeaf(prepared: PreparedData, evaluation: NodeEvaluation): Float64Array[] {
  const perLeaf = prepared.quasiIdentifiers.map((qi) => new Float64Array(qi.domainSize));
  if (evaluation.suppressedRecords === 0) return perLeaf;
  const { classOf, suppressed } = evaluation;
  for (let t = 0; t < prepared.tupleCount; t++) {
    if (suppressed[classOf[t] as number] === 0) continue;
    const size = prepared.tupleSize[t] as number;
    perLeaf.forEach((counts, j) => {
      const leaf = (prepared.tupleLeaf[j] as Int32Array)[t] as number;
      counts[leaf] = (counts[leaf] as number) + size;
    });
  }
  return perLeaf;
}

function lossBase(prepared: PreparedData): number[][] {
  return prepared.quasiIdentifiers.map((qi) =>
    qi.groupSize.map((sizes) => {
      let sum = 0;
      sizes.forEach((size, leaf) => {
        sum += (qi.frequency[leaf] as number) * size;
      });
      return sum;
    }),
  );
}

/**
 * ARX's Loss normalisation of one quasi-identifier: `sum` is Σ over records of the hierarchy
 * rows its released value covers (D for a suppressed record); the result (S − N)/(N·(D − 1))
 * is in [0, 1].
 *
 * @throws never.
 * @example
 * ```ts
 * normaliseLoss(prepared, 0, 30162); // 0: nothing generalised
 * ```
 */
export function normaliseLoss(prepared: PreparedData, j: number, sum: number): number {
  const n = prepared.rowCount;
  const d = (prepared.quasiIdentifiers[j] as { domainSize: number }).domainSize;
  return d > 1 ? Math.max(0, (sum - n) / (n * (d - 1))) : 0;
}

function lossSums(
  prepared: PreparedData,
  base: readonly (readonly number[])[],
  levels: ArrayLike<number>,
  evaluation: NodeEvaluation,
): number[] {
  const perLeaf = suppressedPerLeaf(prepared, evaluation);
  return prepared.quasiIdentifiers.map((qi, j) => {
    const level = levels[j] as number;
    const sizes = qi.groupSize[level] as Int32Array;
    let extra = 0;
    (perLeaf[j] as Float64Array).forEach((count, leaf) => {
      if (count > 0) extra += count * (qi.domainSize - (sizes[leaf] as number));
    });
    return ((base[j] as number[])[level] as number) + extra;
  });
}

/**
 * ARX's Loss per quasi-identifier (MetricMDNMLoss with gs-factor 0.5, before aggregation):
 * each released record costs the share of the hierarchy's rows its generalised value covers,
 * a suppressed record costs 1; the sum is normalised to [0, 1] as (S − N)/(N·(D − 1)), with S
 * that sum times D (an integer, so exact), N the records and D the hierarchy's rows.
 *
 * @throws never.
 * @example
 * ```ts
 * lossByAttribute(prepared, [0, 3, 0], evaluator.evaluate([0, 3, 0])); // e.g. [0, 0.29, 0.05]
 * ```
 */
export function lossByAttribute(
  prepared: PreparedData,
  levels: ArrayLike<number>,
  evaluation: NodeEvaluation,
): number[] {
  return lossSums(prepared, lossBase(prepared), levels, evaluation).map((sum, j) =>
    normaliseLoss(prepared, j, sum),
  );
}

/**
 * Aggregates per-attribute Loss values with ARX's default, the geometric mean
 * Π (1 + vᵢ)^(1/d) − 1.
 *
 * @throws never.
 * @example
 * ```ts
 * aggregateLoss([0, 0.5]); // ≈ 0.2247
 * ```
 */
export function aggregateLoss(values: readonly number[]): number {
  let product = 1;
  for (const v of values) product *= (v + 1) ** (1 / values.length);
  return product - 1;
}

/**
 * ARX's Loss with its current default aggregate, the geometric mean: Π (1 + vᵢ)^(1/d) − 1
 * over the per-attribute values of {@link lossByAttribute}.
 */
function lossMetric(prepared: PreparedData): MetricModel {
  const base = lossBase(prepared);
  const combine = (sums: readonly number[]): number =>
    aggregateLoss(sums.map((sum, j) => normaliseLoss(prepared, j, sum)));
  return {
    bound: (levels) => combine(base.map((perLevel, j) => perLevel[levels[j] as number] as number)),
    value: (levels, evaluation) => combine(lossSums(prepared, base, levels, evaluation)),
  };
}

/**
 * Non-uniform entropy (Gionis & Tassa): each released record costs
 * log2(f(generalised value) / f(original value)) per quasi-identifier, frequencies over the
 * input; a suppressed record costs log2(N / f(original value)). Summed over dimensions.
 */
function entropyMetric(prepared: PreparedData): MetricModel {
  const n = prepared.rowCount;
  const costs = prepared.quasiIdentifiers.map((qi) =>
    qi.labelOf.map((labelOf, level) => {
      const labelFrequency = new Float64Array((qi.labels[level] as readonly string[]).length);
      labelOf.forEach((label, leaf) => {
        labelFrequency[label] = (labelFrequency[label] as number) + (qi.frequency[leaf] as number);
      });
      return Float64Array.from(labelOf, (label, leaf) => {
        const f = qi.frequency[leaf] as number;
        return f > 0 ? Math.log2((labelFrequency[label] as number) / f) : 0;
      });
    }),
  );
  const top = prepared.quasiIdentifiers.map((qi) =>
    Float64Array.from(qi.frequency, (f) => (f > 0 ? Math.log2(n / f) : 0)),
  );
  const base = prepared.quasiIdentifiers.map((qi, j) =>
    (costs[j] as Float64Array[]).map((cost) => {
      let sum = 0;
      cost.forEach((c, leaf) => {
        sum += (qi.frequency[leaf] as number) * c;
      });
      return sum;
    }),
  );
  return {
    bound(levels) {
      let total = 0;
      base.forEach((perLevel, j) => {
        total += perLevel[levels[j] as number] as number;
      });
      return total;
    },
    value(levels, evaluation) {
      const perLeaf = suppressedPerLeaf(prepared, evaluation);
      let total = 0;
      base.forEach((perLevel, j) => {
        const level = levels[j] as number;
        const cost = (costs[j] as Float64Array[])[level] as Float64Array;
        const topCost = top[j] as Float64Array;
        let extra = 0;
        (perLeaf[j] as Float64Array).forEach((count, leaf) => {
          if (count > 0) extra += count * ((topCost[leaf] as number) - (cost[leaf] as number));
        });
        total += (perLevel[level] as number) + Math.max(0, extra);
      });
      return total;
    },
  };
}

/**
 * ARX's Precision: per quasi-identifier, released records cost level/height and suppressed
 * records 1, averaged over records; the dimensions are combined by their arithmetic mean.
 */
function precisionMetric(prepared: PreparedData): MetricModel {
  const n = prepared.rowCount;
  const dims = prepared.quasiIdentifiers.length;
  const combine = (levels: ArrayLike<number>, suppressed: number): number => {
    let sum = 0;
    prepared.quasiIdentifiers.forEach((qi, j) => {
      const h = qi.levels - 1;
      const level = levels[j] as number;
      sum += h > 0 ? ((n - suppressed) * level + suppressed * h) / (h * n) : suppressed / n;
    });
    return sum / dims;
  };
  return {
    bound: (levels) => combine(levels, 0),
    value: (levels, evaluation) => combine(levels, evaluation.suppressedRecords),
  };
}

/**
 * Discernibility: a released record costs the size of its class, a suppressed one N. Its
 * level-only lower bound is N (every record costs at least 1).
 */
function discernibilityMetric(prepared: PreparedData): MetricModel {
  const n = prepared.rowCount;
  return {
    bound: () => n,
    value(_levels, evaluation) {
      let sum = evaluation.suppressedRecords * n;
      for (let c = 0; c < evaluation.classCount; c++) {
        if (evaluation.suppressed[c] === 0) {
          const size = evaluation.classSize[c] as number;
          sum += size * size;
        }
      }
      return sum;
    },
  };
}

/**
 * Creates the model of one utility metric over prepared data.
 *
 * @throws never for a validated metric name.
 * @example
 * ```ts
 * const loss = createMetricModel(prepared, "loss");
 * loss.bound([0, 0, 0]);
 * ```
 */
export function createMetricModel(prepared: PreparedData, metric: UtilityMetric): MetricModel {
  switch (metric) {
    case "loss":
      return lossMetric(prepared);
    case "entropy":
      return entropyMetric(prepared);
    case "precision":
      return precisionMetric(prepared);
    case "discernibility":
      return discernibilityMetric(prepared);
  }
}
