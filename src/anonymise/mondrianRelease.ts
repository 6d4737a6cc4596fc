import type { UtilityMetric } from "./AnonymiseConfig.ts";
import type { MondrianPartitioning } from "./MondrianPartitioning.ts";
import type { MondrianDimension } from "./mondrianDimensions.ts";
import type { PreparedData } from "./prepareData.ts";
import type { Table } from "./Table.ts";
import type { UtilityReport } from "./UtilityReport.ts";
import { aggregateLoss, normaliseLoss } from "./utilityMetrics.ts";

/** A Mondrian partitioning turned into a release. */
export interface MondrianRelease {
  readonly output: Table;
  readonly suppressedRows: Uint8Array;
  readonly metrics: UtilityReport;
  /** Sizes of the released equivalence classes of the output (by its strings). */
  readonly releasedClassSizes: readonly number[];
  /**
   * k-map population records of each released class (same order), when the models have a
   * population table.
   */
  readonly releasedClassPopulations: readonly number[] | undefined;
}

function rangeLabel(dimension: MondrianDimension & { kind: "range" }, lo: number, hi: number) {
  const low = dimension.text[lo] as string;
  if (lo === hi) return low;
  const high = dimension.text[hi] as string;
  return (dimension.values[lo] as number) < 0 ? `[${low}, ${high}]` : `${low}-${high}`;
}

/**
 * Builds the output of a Mondrian partitioning and measures it. A range region is written
 * `low-high` (`[low, high]` when negative; the value itself when single), a hierarchy
 * region as its lowest common ancestor's label; suppressed records get `*`.
 *
 * Metrics use the full-domain definitions with each class's own region, so they compare
 * with the lattice searches: Loss counts the hierarchy rows a region covers (for a range,
 * the rows whose value lies in it), entropy the input records it covers; Precision is
 * level/height for a hierarchy region and the normalised value span for a range.
 *
 * @throws never.
 * @example
 * ```ts
 * const release = mondrianRelease(table, prepared, dimensions, partitioning, roles, "loss");
 * release.metrics.loss;
 * ```
 */
export function mondrianRelease(
  table: Table,
  prepared: PreparedData,
  dimensions: readonly MondrianDimension[],
  partitioning: MondrianPartitioning,
  roles: ReadonlyMap<string, string>,
  objective: UtilityMetric,
): MondrianRelease {
  const n = prepared.rowCount;
  const { classCount, classOfTuple, classSize, suppressed, low, high } = partitioning;
  const qis = prepared.quasiIdentifiers;
  const tupleClass = (row: number): number =>
    classOfTuple[prepared.rowTuple[row] as number] as number;
  const suppressedRows = new Uint8Array(n);
  for (let r = 0; r < n; r++) suppressedRows[r] = suppressed[tupleClass(r)] as number;

  // Per quasi-identifier and class: output label code, rows covered, records covered, precision.
  const classLabel = qis.map(() => new Int32Array(classCount));
  const covered = qis.map(() => new Float64Array(classCount));
  const coveredRecords = qis.map(() => new Float64Array(classCount));
  const certainty = qis.map(() => new Float64Array(classCount));
  const dictionaries = qis.map((qi, j) => {
    const dimension = dimensions[j] as MondrianDimension;
    const ids = new Map<string, number>();
    const names: string[] = [];
    const codeOf = (label: string): number => {
      let id = ids.get(label);
      if (id === undefined) {
        id = names.length;
        ids.set(label, id);
        names.push(label);
      }
      return id;
    };
    for (let c = 0; c < classCount; c++) {
      if (suppressed[c] === 1) {
        (classLabel[j] as Int32Array)[c] = codeOf("*");
        continue;
      }
      const lo = (low[j] as Int32Array)[c] as number;
      const hi = (high[j] as Int32Array)[c] as number;
      if (dimension.kind === "range") {
        (classLabel[j] as Int32Array)[c] = codeOf(rangeLabel(dimension, lo, hi));
        (covered[j] as Float64Array)[c] =
          (dimension.leavesBelow[hi + 1] as number) - (dimension.leavesBelow[lo] as number);
        (coveredRecords[j] as Float64Array)[c] =
          (dimension.recordsBelow[hi + 1] as number) - (dimension.recordsBelow[lo] as number);
        (certainty[j] as Float64Array)[c] =
          dimension.span > 0
            ? ((dimension.values[hi] as number) - (dimension.values[lo] as number)) / dimension.span
            : 0;
      } else {
        (classLabel[j] as Int32Array)[c] = codeOf(
          (qi.labels[lo] as readonly string[])[hi] as string,
        );
        (covered[j] as Float64Array)[c] = (dimension.labelRows[lo] as Int32Array)[hi] as number;
        (coveredRecords[j] as Float64Array)[c] = (dimension.labelRecords[lo] as Float64Array)[
          hi
        ] as number;
        (certainty[j] as Float64Array)[c] = qi.levels > 1 ? lo / (qi.levels - 1) : 0;
      }
    }
    return names;
  });

  const columns: string[] = [];
  const outDictionaries: (readonly string[])[] = [];
  const codes: Int32Array[] = [];
  let qiIndex = 0;
  table.columns.forEach((name, c) => {
    const role = roles.get(name);
    if (role === "identifier") return;
    columns.push(name);
    if (role !== "quasi-identifier") {
      outDictionaries.push(table.dictionaries[c] as readonly string[]);
      codes.push((table.codes[c] as Int32Array).slice());
      return;
    }
    const labels = classLabel[qiIndex] as Int32Array;
    outDictionaries.push(dictionaries[qiIndex] as string[]);
    qiIndex++;
    const column = new Int32Array(n);
    for (let r = 0; r < n; r++) column[r] = labels[tupleClass(r)] as number;
    codes.push(column);
  });

  // Classes of the output are classes of equal label tuples (distinct Mondrian regions could
  // share their strings only when a hierarchy repeats a label across subtrees).
  // Such regions are disjoint, so their population counts add up too.
  const byLabels = new Map<string, { size: number; population: number }>();
  const { classPopulation } = partitioning;
  for (let c = 0; c < classCount; c++) {
    if (suppressed[c] === 1) continue;
    const key = classLabel.map((labels) => labels[c]).join(",");
    const entry = byLabels.get(key) ?? { size: 0, population: 0 };
    entry.size += classSize[c] as number;
    entry.population += classPopulation?.[c] ?? 0;
    byLabels.set(key, entry);
  }
  const releasedClassSizes = [...byLabels.values()].map((entry) => entry.size);
  const releasedClassPopulations =
    classPopulation === undefined ? undefined : [...byLabels.values()].map((e) => e.population);

  const lossByAttribute: number[] = [];
  let entropy = 0;
  let precisionSum = 0;
  qis.forEach((qi, j) => {
    const leaves = prepared.tupleLeaf[j] as Int32Array;
    let rows = 0;
    let bits = 0;
    let imprecision = 0;
    for (let t = 0; t < prepared.tupleCount; t++) {
      const size = prepared.tupleSize[t] as number;
      const c = classOfTuple[t] as number;
      const f = qi.frequency[leaves[t] as number] as number;
      if (suppressed[c] === 1) {
        rows += size * qi.domainSize;
        bits += size * Math.log2(n / f);
        imprecision += size;
      } else {
        rows += size * ((covered[j] as Float64Array)[c] as number);
        bits += size * Math.log2(((coveredRecords[j] as Float64Array)[c] as number) / f);
        imprecision += size * ((certainty[j] as Float64Array)[c] as number);
      }
    }
    lossByAttribute.push(normaliseLoss(prepared, j, rows));
    entropy += bits;
    precisionSum += imprecision / n;
  });
  let discernibility = partitioning.suppressedRecords * n;
  for (const size of releasedClassSizes) discernibility += size * size;
  const loss = aggregateLoss(lossByAttribute);
  const precision = precisionSum / qis.length;
  const values: Record<UtilityMetric, number> = { loss, entropy, discernibility, precision };
  return {
    output: { columns, rowCount: n, dictionaries: outDictionaries, codes },
    suppressedRows,
    metrics: {
      objective,
      value: values[objective],
      loss,
      lossByAttribute,
      entropy,
      discernibility,
      precision,
    },
    releasedClassSizes,
    releasedClassPopulations,
  };
}
