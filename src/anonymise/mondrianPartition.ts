import type { AnonymiseConfig } from "./AnonymiseConfig.ts";
import {
  type CompiledSensitiveModel,
  classPasses,
  compileSensitiveModel,
} from "./compileSensitiveModel.ts";
import { type GroupDimension, Grouper } from "./Grouper.ts";
import type { MondrianDimension } from "./mondrianDimensions.ts";
import type { PreparedData } from "./prepareData.ts";

/**
 * Mondrian's equivalence classes over the distinct quasi-identifier tuples, with each
 * class's region per quasi-identifier: for a range dimension the lowest and highest value
 * rank present, for a hierarchy dimension the lowest common ancestor (level and label id).
 */
export interface MondrianPartitioning {
  readonly classCount: number;
  /** Tuple → class. */
  readonly classOfTuple: Int32Array;
  /** Class → records. */
  readonly classSize: Int32Array;
  /** Class → 1 when suppressed. */
  readonly suppressed: Uint8Array;
  readonly suppressedRecords: number;
  /** Per quasi-identifier, class → lowest rank (range) or level (hierarchy). */
  readonly low: readonly Int32Array[];
  /** Per quasi-identifier, class → highest rank (range) or label id (hierarchy). */
  readonly high: readonly Int32Array[];
  /** Partitions that were cut. */
  readonly splits: number;
  /** Candidate partitions checked against the models. */
  readonly checks: number;
}

interface Candidate {
  readonly dim: number;
  readonly width: number;
}

/**
 * Strict multidimensional Mondrian (LeFevre, DeWitt & Ramakrishnan, ICDE 2006) on the
 * collapsed tuples. A partition is cut on the quasi-identifier with the widest normalised
 * range first (range: value span / the input's span; hierarchy: (rows under the lowest
 * common ancestor − 1) / (rows − 1)), falling back to narrower ones: a range at the boundary
 * between distinct values closest to the median record, a hierarchy node into its children.
 * A cut is allowed only when every part satisfies every model (k and the sensitive-attribute
 * models), so every class of the result does. Partitions that cannot be cut are classes.
 *
 * Level bounds: a hierarchy quasi-identifier whose `maxLevel` (default the top) has several
 * labels starts out cut at that level (initial partitions that violate a model are
 * suppressed, within the suppression limit); one with `minLevel` is never cut below it. Nothing else is suppressed.
 * Returns undefined when the initial partitions need more suppression than allowed.
 *
 * @throws never for validated configuration and prepared data.
 * @example
 * ```ts
 * const dimensions = mondrianDimensions(prepared, config);
 * const partitioning = mondrianPartition(prepared, config, dimensions, table.dictionaries, table.columns);
 * ```
 */
export function mondrianPartition(
  prepared: PreparedData,
  config: AnonymiseConfig,
  dimensions: readonly MondrianDimension[],
  dictionaries: readonly (readonly string[])[],
  columns: readonly string[],
): MondrianPartitioning | undefined {
  const qis = prepared.quasiIdentifiers;
  const tuples = prepared.tupleCount;
  const { tupleSize, tupleLeaf } = prepared;
  const n = prepared.rowCount;
  let k = 1;
  const sensitive: CompiledSensitiveModel[] = [];
  let domain = 1;
  for (const model of config.models) {
    if (model.type === "k-anonymity") k = Math.max(k, model.k);
    else if (model.type !== "average-risk") {
      const dictionary = dictionaries[columns.indexOf(model.attribute)] as readonly string[];
      const compiled = compileSensitiveModel(prepared, model, dictionary);
      sensitive.push(compiled);
      domain = Math.max(domain, compiled.data.domain);
    }
  }
  const counts = new Float64Array(domain);
  const dense = new Float64Array(domain);
  const touched: number[] = [];
  let checks = 0;

  /** Whether the tuples `buffer[from, to)` holding `records` records satisfy every model. */
  const passes = (buffer: Int32Array, from: number, to: number, records: number): boolean => {
    checks++;
    if (records < k) return false;
    for (const compiled of sensitive) {
      const { start, values, counts: entryCounts } = compiled.data;
      for (let i = from; i < to; i++) {
        const t = buffer[i] as number;
        for (let e = start[t] as number; e < (start[t + 1] as number); e++) {
          const v = values[e] as number;
          if (counts[v] === 0) touched.push(v);
          counts[v] = (counts[v] as number) + (entryCounts[e] as number);
        }
      }
      const ok = classPasses(compiled, counts, touched, records, dense);
      for (const v of touched) counts[v] = 0;
      touched.length = 0;
      if (!ok) return false;
    }
    return true;
  };

  const order = new Int32Array(tuples);
  const scratch = new Int32Array(tuples);
  const partId = new Int32Array(tuples);

  /**
   * Counting-sorts `order[from, to)` by `partId` (ids in [0, parts)) into `scratch`, stable;
   * returns the part boundaries and record counts.
   */
  const arrange = (from: number, to: number, parts: number) => {
    const bounds = new Int32Array(parts + 1);
    const records = new Float64Array(parts);
    for (let i = from; i < to; i++) {
      const t = order[i] as number;
      const p = partId[t] as number;
      bounds[p + 1] = (bounds[p + 1] as number) + 1;
      records[p] = (records[p] as number) + (tupleSize[t] as number);
    }
    bounds[0] = from;
    for (let p = 0; p < parts; p++)
      bounds[p + 1] = (bounds[p + 1] as number) + (bounds[p] as number);
    const fill = bounds.slice(0, parts);
    for (let i = from; i < to; i++) {
      const t = order[i] as number;
      const p = partId[t] as number;
      scratch[fill[p] as number] = t;
      fill[p] = (fill[p] as number) + 1;
    }
    return { bounds, records };
  };

  const classOfTuple = new Int32Array(tuples);
  const classSizes: number[] = [];
  const suppressedFlags: number[] = [];
  const low = qis.map(() => [] as number[]);
  const high = qis.map(() => [] as number[]);
  let suppressedRecords = 0;
  const maxSuppressed = Math.floor(config.suppressionLimit * n + 1e-9);
  let finished = 0;
  let reported = -1;
  const progress = config.onProgress;
  const settle = (from: number, to: number, records: number, suppress: boolean): void => {
    const c = classSizes.length;
    for (let i = from; i < to; i++) classOfTuple[order[i] as number] = c;
    classSizes.push(records);
    suppressedFlags.push(suppress ? 1 : 0);
    finished += records;
    if (progress !== undefined) {
      const permille = Math.floor((finished / n) * 1000);
      if (permille !== reported) {
        reported = permille;
        progress(finished / n);
      }
    }
  };

  // Initial partitions: the input cut at each bounded quasi-identifier's maxLevel.
  const forced: GroupDimension[] = [];
  qis.forEach((qi, j) => {
    // A hierarchy whose allowed top still has several labels has no common root to cut from.
    if (dimensions[j]?.kind === "hierarchy" && (qi.labels[qi.maxLevel]?.length ?? 1) > 1) {
      forced.push({
        codes: tupleLeaf[j] as Int32Array,
        map: qi.labelOf[qi.maxLevel] as Int32Array,
        radix: (qi.labels[qi.maxLevel] as readonly string[]).length,
      });
    }
  });
  for (let t = 0; t < tuples; t++) order[t] = t;
  const initialParts = forced.length === 0 ? 1 : new Grouper().group(tuples, forced, partId);
  const initial = arrange(0, tuples, initialParts);
  order.set(scratch.subarray(0, tuples));
  const stack: number[] = [];
  for (let p = initialParts - 1; p >= 0; p--) {
    const from = initial.bounds[p] as number;
    const to = initial.bounds[p + 1] as number;
    const records = initial.records[p] as number;
    if (passes(order, from, to, records)) stack.push(from, to, records);
    else {
      suppressedRecords += records;
      if (suppressedRecords > maxSuppressed) return undefined;
      settle(from, to, records, true);
    }
  }

  const dims = qis.length;
  const regionLow = new Int32Array(dims);
  const regionHigh = new Int32Array(dims);
  const rankRecords = dimensions.map((d) =>
    d.kind === "range" ? new Float64Array(d.values.length) : new Float64Array(0),
  );
  const childIndex = qis.map((qi) =>
    qi.labels.map((names) => new Int32Array(names.length).fill(-1)),
  );
  const candidates: Candidate[] = [];
  let splits = 0;

  /** Computes the partition's region per dimension and the dimensions that can be cut. */
  const survey = (from: number, to: number): void => {
    candidates.length = 0;
    const first = order[from] as number;
    dimensions.forEach((dimension, j) => {
      const leaves = tupleLeaf[j] as Int32Array;
      const qi = qis[j] as PreparedData["quasiIdentifiers"][number];
      if (dimension.kind === "range") {
        const { rankOf, values, span } = dimension;
        let lo = rankOf[leaves[first] as number] as number;
        let hi = lo;
        for (let i = from + 1; i < to; i++) {
          const r = rankOf[leaves[order[i] as number] as number] as number;
          if (r < lo) lo = r;
          else if (r > hi) hi = r;
        }
        regionLow[j] = lo;
        regionHigh[j] = hi;
        if (hi > lo) {
          const width = span > 0 ? ((values[hi] as number) - (values[lo] as number)) / span : 0;
          candidates.push({ dim: j, width });
        }
        return;
      }
      const leaf0 = leaves[first] as number;
      let level = qi.minLevel;
      for (; level < qi.maxLevel; level++) {
        const labelOf = qi.labelOf[level] as Int32Array;
        const label = labelOf[leaf0] as number;
        let same = true;
        for (let i = from + 1; i < to && same; i++) {
          same = labelOf[leaves[order[i] as number] as number] === label;
        }
        if (same) break;
      }
      const label = (qi.labelOf[level] as Int32Array)[leaf0] as number;
      regionLow[j] = level;
      regionHigh[j] = label;
      if (level > qi.minLevel) {
        const rows = (dimension.labelRows[level] as Int32Array)[label] as number;
        const width = qi.domainSize > 1 ? (rows - 1) / (qi.domainSize - 1) : 0;
        candidates.push({ dim: j, width });
      }
    });
    candidates.sort((a, b) => b.width - a.width || a.dim - b.dim);
  };

  /** Assigns `partId` for a cut of `order[from, to)` on dimension `j`; returns the parts. */
  const label = (from: number, to: number, records: number, j: number): number => {
    const dimension = dimensions[j] as MondrianDimension;
    const leaves = tupleLeaf[j] as Int32Array;
    if (dimension.kind === "range") {
      const { rankOf } = dimension;
      const perRank = rankRecords[j] as Float64Array;
      const ranks: number[] = [];
      for (let i = from; i < to; i++) {
        const t = order[i] as number;
        const r = rankOf[leaves[t] as number] as number;
        if (perRank[r] === 0) ranks.push(r);
        perRank[r] = (perRank[r] as number) + (tupleSize[t] as number);
      }
      ranks.sort((a, b) => a - b);
      let left = 0;
      let cut = ranks[0] as number;
      let best = Number.POSITIVE_INFINITY;
      for (let i = 0; i + 1 < ranks.length; i++) {
        left += perRank[ranks[i] as number] as number;
        const imbalance = Math.abs(2 * left - records);
        if (imbalance < best) {
          best = imbalance;
          cut = ranks[i] as number;
        }
      }
      for (const r of ranks) perRank[r] = 0;
      for (let i = from; i < to; i++) {
        const t = order[i] as number;
        partId[t] = (rankOf[leaves[t] as number] as number) <= cut ? 0 : 1;
      }
      return 2;
    }
    const qi = qis[j] as PreparedData["quasiIdentifiers"][number];
    const childOf = qi.labelOf[(regionLow[j] as number) - 1] as Int32Array;
    const index = childIndex[j]?.[(regionLow[j] as number) - 1] as Int32Array;
    const seen: number[] = [];
    for (let i = from; i < to; i++) {
      const t = order[i] as number;
      const child = childOf[leaves[t] as number] as number;
      let p = index[child] as number;
      if (p < 0) {
        p = seen.length;
        index[child] = p;
        seen.push(child);
      }
      partId[t] = p;
    }
    for (const child of seen) index[child] = -1;
    return seen.length;
  };

  while (stack.length > 0) {
    const records = stack.pop() as number;
    const to = stack.pop() as number;
    const from = stack.pop() as number;
    survey(from, to);
    let cut = false;
    for (const { dim } of candidates) {
      const parts = label(from, to, records, dim);
      const { bounds, records: partRecords } = arrange(from, to, parts);
      let allowed = true;
      for (let p = 0; p < parts && allowed; p++) {
        allowed = passes(
          scratch,
          bounds[p] as number,
          bounds[p + 1] as number,
          partRecords[p] as number,
        );
      }
      if (!allowed) continue;
      order.set(scratch.subarray(from, to), from);
      for (let p = parts - 1; p >= 0; p--) {
        stack.push(bounds[p] as number, bounds[p + 1] as number, partRecords[p] as number);
      }
      splits++;
      cut = true;
      break;
    }
    if (cut) continue;
    const c = classSizes.length;
    settle(from, to, records, false);
    qis.forEach((_, j) => {
      (low[j] as number[])[c] = regionLow[j] as number;
      (high[j] as number[])[c] = regionHigh[j] as number;
    });
  }
  const classCount = classSizes.length;
  const fill = (values: number[]): Int32Array => {
    const out = new Int32Array(classCount);
    values.forEach((v, c) => {
      out[c] = v;
    });
    return out;
  };
  return {
    classCount,
    classOfTuple,
    classSize: Int32Array.from(classSizes),
    suppressed: Uint8Array.from(suppressedFlags),
    suppressedRecords,
    low: low.map(fill),
    high: high.map(fill),
    splits,
    checks,
  };
}
