import type { AnonymiseConfig } from "./AnonymiseConfig.ts";
import {
  type CompiledSensitiveModel,
  classPasses,
  compileSensitiveModel,
} from "./compileSensitiveModel.ts";
import { estimateKMapThreshold } from "./estimateKMapThreshold.ts";
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
  /**
   * Class → k-map population records inside the class's region (released classes, when the
   * models have a population table).
   */
  readonly classPopulation: Float64Array | undefined;
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
 * A cut is allowed only when every part satisfies every model (k, k-map and the
 * sensitive-attribute models), so every class of the result does. Partitions that cannot be
 * cut are classes.
 *
 * k-map with an estimator is k′-anonymity. With a population table, a part's population
 * count is the population records inside the part's own region (its tight ranges / lowest
 * common ancestors, what is released). Each partition carries the population tuples that can
 * lie in its region: a cut sends each of them to the side its value falls on (or drops it
 * when its hierarchy child holds no sample record), and only those inside a part's region
 * are counted.
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
    else if (model.type === "k-map") {
      if (!("population" in model)) k = Math.max(k, estimateKMapThreshold(model, n).derivedK);
    } else if (model.type !== "average-risk") {
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
  const population = prepared.population;
  const populationTuples = population?.tupleCount ?? 0;
  const popOrder = new Int32Array(populationTuples);
  const popScratch = new Int32Array(populationTuples);
  const popPartId = new Int32Array(populationTuples);
  const dims = qis.length;
  const partLow = new Int32Array(dims);
  const partHigh = new Int32Array(dims);

  /**
   * The region of the tuples `buffer[from, to)` per dimension, into `lowOut` / `highOut`:
   * a range's lowest and highest rank, a hierarchy's lowest common ancestor (level, label)
   * at or above `minLevel`.
   */
  const regionOf = (
    buffer: Int32Array,
    from: number,
    to: number,
    lowOut: Int32Array,
    highOut: Int32Array,
  ): void => {
    const first = buffer[from] as number;
    dimensions.forEach((dimension, j) => {
      const leaves = tupleLeaf[j] as Int32Array;
      if (dimension.kind === "range") {
        const { rankOf } = dimension;
        let lo = rankOf[leaves[first] as number] as number;
        let hi = lo;
        for (let i = from + 1; i < to; i++) {
          const r = rankOf[leaves[buffer[i] as number] as number] as number;
          if (r < lo) lo = r;
          else if (r > hi) hi = r;
        }
        lowOut[j] = lo;
        highOut[j] = hi;
        return;
      }
      const qi = qis[j] as PreparedData["quasiIdentifiers"][number];
      const leaf0 = leaves[first] as number;
      let level = qi.minLevel;
      for (; level < qi.maxLevel; level++) {
        const labelOf = qi.labelOf[level] as Int32Array;
        const label = labelOf[leaf0] as number;
        let same = true;
        for (let i = from + 1; i < to && same; i++) {
          same = labelOf[leaves[buffer[i] as number] as number] === label;
        }
        if (same) break;
      }
      lowOut[j] = level;
      highOut[j] = (qi.labelOf[level] as Int32Array)[leaf0] as number;
    });
  };

  /** Population records among `popBuffer[from, to)` inside the region `low` / `high`. */
  const populationIn = (
    popBuffer: Int32Array,
    from: number,
    to: number,
    low: Int32Array,
    high: Int32Array,
  ): number => {
    if (population === undefined) return 0;
    let count = 0;
    for (let i = from; i < to; i++) {
      const p = popBuffer[i] as number;
      let inside = true;
      for (let j = 0; j < dims && inside; j++) {
        const leaf = (population.tupleLeaf[j] as Int32Array)[p] as number;
        const dimension = dimensions[j] as MondrianDimension;
        if (dimension.kind === "range") {
          const r = dimension.rankOf[leaf] as number;
          inside = r >= (low[j] as number) && r <= (high[j] as number);
        } else {
          const labelOf = (qis[j] as PreparedData["quasiIdentifiers"][number]).labelOf;
          inside = (labelOf[low[j] as number] as Int32Array)[leaf] === high[j];
        }
      }
      if (inside) count += population.tupleSize[p] as number;
    }
    return count;
  };

  /**
   * Whether the sample tuples `buffer[from, to)` with the population candidates
   * `popBuffer[pFrom, pTo)` satisfy every model (k-map's population included).
   */
  const allowed = (
    buffer: Int32Array,
    from: number,
    to: number,
    records: number,
    popBuffer: Int32Array,
    pFrom: number,
    pTo: number,
  ): boolean => {
    if (!passes(buffer, from, to, records)) return false;
    if (population === undefined) return true;
    regionOf(buffer, from, to, partLow, partHigh);
    return populationIn(popBuffer, pFrom, pTo, partLow, partHigh) >= population.k;
  };

  /**
   * Counting-sorts `popOrder[from, to)` by `popPartId` (−1: dropped, sorted last) into
   * `popScratch`; returns the part boundaries.
   */
  const arrangePopulation = (from: number, to: number, parts: number): Int32Array => {
    const bounds = new Int32Array(parts + 2);
    for (let i = from; i < to; i++) {
      const p = popPartId[popOrder[i] as number] as number;
      const bucket = p < 0 ? parts : p;
      bounds[bucket + 1] = (bounds[bucket + 1] as number) + 1;
    }
    bounds[0] = from;
    for (let p = 0; p <= parts; p++)
      bounds[p + 1] = (bounds[p + 1] as number) + (bounds[p] as number);
    const fill = bounds.slice(0, parts + 1);
    for (let i = from; i < to; i++) {
      const t = popOrder[i] as number;
      const p = popPartId[t] as number;
      const bucket = p < 0 ? parts : p;
      popScratch[fill[bucket] as number] = t;
      fill[bucket] = (fill[bucket] as number) + 1;
    }
    return bounds;
  };

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
  const classPopulations: number[] = [];
  const suppressedFlags: number[] = [];
  const low = qis.map(() => [] as number[]);
  const high = qis.map(() => [] as number[]);
  let suppressedRecords = 0;
  const maxSuppressed = Math.floor(config.suppressionLimit * n + 1e-9);
  let finished = 0;
  let reported = -1;
  const progress = config.onProgress;
  const settle = (
    from: number,
    to: number,
    records: number,
    suppress: boolean,
    populationRecords: number,
  ): void => {
    const c = classSizes.length;
    for (let i = from; i < to; i++) classOfTuple[order[i] as number] = c;
    classSizes.push(records);
    classPopulations.push(populationRecords);
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
  const forcedQis: number[] = [];
  qis.forEach((qi, j) => {
    // A hierarchy whose allowed top still has several labels has no common root to cut from.
    if (dimensions[j]?.kind === "hierarchy" && (qi.labels[qi.maxLevel]?.length ?? 1) > 1) {
      forcedQis.push(j);
      forced.push({
        codes: tupleLeaf[j] as Int32Array,
        map: qi.labelOf[qi.maxLevel] as Int32Array,
        radix: (qi.labels[qi.maxLevel] as readonly string[]).length,
      });
    }
  });
  for (let t = 0; t < tuples; t++) order[t] = t;
  for (let p = 0; p < populationTuples; p++) popOrder[p] = p;
  let initialParts = 1;
  if (forced.length > 0 && population === undefined) {
    initialParts = new Grouper().group(tuples, forced, partId);
  } else if (forced.length > 0 && population !== undefined) {
    // Sample and population tuples grouped together, sample first: population tuples in a
    // group no sample tuple has belong to no initial part.
    const ids = new Int32Array(tuples + populationTuples);
    new Grouper().group(
      tuples + populationTuples,
      forced.map((dim, f) => {
        const codes = new Int32Array(tuples + populationTuples);
        codes.set(dim.codes);
        codes.set(population.tupleLeaf[forcedQis[f] as number] as Int32Array, tuples);
        return { codes, map: dim.map, radix: dim.radix };
      }),
      ids,
    );
    for (let t = 0; t < tuples; t++) {
      partId[t] = ids[t] as number;
      initialParts = Math.max(initialParts, (ids[t] as number) + 1);
    }
    for (let p = 0; p < populationTuples; p++) {
      const id = ids[tuples + p] as number;
      popPartId[p] = id < initialParts ? id : -1;
    }
  }
  const initial = arrange(0, tuples, initialParts);
  order.set(scratch.subarray(0, tuples));
  let popBounds: Int32Array = Int32Array.of(0, populationTuples);
  if (forced.length > 0 && population !== undefined) {
    popBounds = arrangePopulation(0, populationTuples, initialParts);
    popOrder.set(popScratch);
  }
  const stack: number[] = [];
  for (let p = initialParts - 1; p >= 0; p--) {
    const from = initial.bounds[p] as number;
    const to = initial.bounds[p + 1] as number;
    const records = initial.records[p] as number;
    const pFrom = popBounds[p] as number;
    const pTo = popBounds[p + 1] as number;
    if (allowed(order, from, to, records, popOrder, pFrom, pTo)) {
      stack.push(from, to, records, pFrom, pTo);
    } else {
      suppressedRecords += records;
      if (suppressedRecords > maxSuppressed) return undefined;
      settle(from, to, records, true, 0);
    }
  }

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
    regionOf(order, from, to, regionLow, regionHigh);
    dimensions.forEach((dimension, j) => {
      const lo = regionLow[j] as number;
      const hi = regionHigh[j] as number;
      if (dimension.kind === "range") {
        if (hi > lo) {
          const { values, span } = dimension;
          const width = span > 0 ? ((values[hi] as number) - (values[lo] as number)) / span : 0;
          candidates.push({ dim: j, width });
        }
        return;
      }
      const qi = qis[j] as PreparedData["quasiIdentifiers"][number];
      if (lo > qi.minLevel) {
        const rows = (dimension.labelRows[lo] as Int32Array)[hi] as number;
        const width = qi.domainSize > 1 ? (rows - 1) / (qi.domainSize - 1) : 0;
        candidates.push({ dim: j, width });
      }
    });
    candidates.sort((a, b) => b.width - a.width || a.dim - b.dim);
  };

  /**
   * Assigns `partId` for a cut of `order[from, to)` on dimension `j`, and `popPartId` to the
   * population candidates `popOrder[pFrom, pTo)` (−1 when in no part); returns the parts.
   */
  const label = (
    from: number,
    to: number,
    records: number,
    j: number,
    pFrom: number,
    pTo: number,
  ): number => {
    const popLeaves = population?.tupleLeaf[j] as Int32Array;
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
      for (let i = pFrom; i < pTo; i++) {
        const p = popOrder[i] as number;
        popPartId[p] = (rankOf[popLeaves[p] as number] as number) <= cut ? 0 : 1;
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
    for (let i = pFrom; i < pTo; i++) {
      const p = popOrder[i] as number;
      popPartId[p] = index[childOf[popLeaves[p] as number] as number] as number;
    }
    for (const child of seen) index[child] = -1;
    return seen.length;
  };

  while (stack.length > 0) {
    const pTo = stack.pop() as number;
    const pFrom = stack.pop() as number;
    const records = stack.pop() as number;
    const to = stack.pop() as number;
    const from = stack.pop() as number;
    survey(from, to);
    let cut = false;
    for (const { dim } of candidates) {
      const parts = label(from, to, records, dim, pFrom, pTo);
      const { bounds, records: partRecords } = arrange(from, to, parts);
      const popParts = population === undefined ? undefined : arrangePopulation(pFrom, pTo, parts);
      let ok = true;
      for (let p = 0; p < parts && ok; p++) {
        ok = allowed(
          scratch,
          bounds[p] as number,
          bounds[p + 1] as number,
          partRecords[p] as number,
          popScratch,
          popParts?.[p] ?? 0,
          popParts?.[p + 1] ?? 0,
        );
      }
      if (!ok) continue;
      order.set(scratch.subarray(from, to), from);
      if (popParts !== undefined) popOrder.set(popScratch.subarray(pFrom, pTo), pFrom);
      for (let p = parts - 1; p >= 0; p--) {
        stack.push(
          bounds[p] as number,
          bounds[p + 1] as number,
          partRecords[p] as number,
          popParts?.[p] ?? 0,
          popParts?.[p + 1] ?? 0,
        );
      }
      splits++;
      cut = true;
      break;
    }
    if (cut) continue;
    const c = classSizes.length;
    settle(from, to, records, false, populationIn(popOrder, pFrom, pTo, regionLow, regionHigh));
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
    classPopulation: population === undefined ? undefined : Float64Array.from(classPopulations),
    suppressed: Uint8Array.from(suppressedFlags),
    suppressedRecords,
    low: low.map(fill),
    high: high.map(fill),
    splits,
    checks,
  };
}
