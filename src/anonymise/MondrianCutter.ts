import type { MondrianLayout } from "./MondrianLayout.ts";
import type { MondrianRegions } from "./MondrianRegions.ts";
import type { MondrianDimension, RangeDimension } from "./mondrianDimensions.ts";
import type { EncodedPopulation, EncodedQuasiIdentifier, PreparedData } from "./prepareData.ts";

/** A quasi-identifier a partition can be cut on, with its normalised width there. */
export interface CutCandidate {
  readonly dim: number;
  readonly width: number;
}

/**
 * Proposes Mondrian's cuts of one partition. `survey` finds the partition's region and the
 * quasi-identifiers it can still be cut on, widest normalised range first (range: value span
 * / the input's span; hierarchy: (rows under the lowest common ancestor − 1) / (rows − 1));
 * `label` assigns the parts of a cut on one of them: a range at the boundary between distinct
 * values closest to the median record, a hierarchy node into its children (a population tuple
 * whose child holds no sample tuple goes to no part). Scratch arrays are reused across calls.
 *
 * @example
 * ```ts
 * const cutter = new MondrianCutter(prepared, dimensions, regions, layout);
 * cutter.survey(from, to);
 * const parts = cutter.label(from, to, records, cutter.candidates[0].dim, pFrom, pTo);
 * layout.arrange(from, to, parts);
 * ```
 */
export class MondrianCutter {
  /** Per quasi-identifier, the surveyed partition's lowest rank (range) or level (hierarchy). */
  readonly regionLow: Int32Array;
  /** Per quasi-identifier, the surveyed partition's highest rank (range) or label id (hierarchy). */
  readonly regionHigh: Int32Array;
  readonly #candidates: CutCandidate[] = [];
  readonly #dimensions: readonly MondrianDimension[];
  readonly #qis: readonly EncodedQuasiIdentifier[];
  readonly #tupleLeaf: readonly Int32Array[];
  readonly #tupleSize: Int32Array;
  readonly #population: EncodedPopulation | undefined;
  readonly #regions: MondrianRegions;
  readonly #layout: MondrianLayout;
  /** Per range quasi-identifier, rank → records of the partition being cut (zero between cuts). */
  readonly #rankRecords: readonly Float64Array[];
  /** Per hierarchy quasi-identifier and level, label → part of the cut (−1 between cuts). */
  readonly #childIndex: readonly (readonly Int32Array[])[];

  constructor(
    prepared: PreparedData,
    dimensions: readonly MondrianDimension[],
    regions: MondrianRegions,
    layout: MondrianLayout,
  ) {
    const qis = prepared.quasiIdentifiers;
    this.regionLow = new Int32Array(qis.length);
    this.regionHigh = new Int32Array(qis.length);
    this.#dimensions = dimensions;
    this.#qis = qis;
    this.#tupleLeaf = prepared.tupleLeaf;
    this.#tupleSize = prepared.tupleSize;
    this.#population = prepared.population;
    this.#regions = regions;
    this.#layout = layout;
    this.#rankRecords = dimensions.map((d) =>
      d.kind === "range" ? new Float64Array(d.values.length) : new Float64Array(0),
    );
    this.#childIndex = qis.map((qi) =>
      qi.labels.map((names) => new Int32Array(names.length).fill(-1)),
    );
  }

  /** The surveyed partition's cuttable quasi-identifiers, widest first (ties: lower index). */
  get candidates(): readonly CutCandidate[] {
    return this.#candidates;
  }

  /** Computes the region of `order[from, to)` and the quasi-identifiers it can be cut on. */
  survey(from: number, to: number): void {
    const { regionLow, regionHigh } = this;
    const candidates = this.#candidates;
    const dimensions = this.#dimensions;
    candidates.length = 0;
    this.#regions.regionOf(this.#layout.order, from, to, regionLow, regionHigh);
    for (let j = 0; j < dimensions.length; j++) {
      const dimension = dimensions[j] as MondrianDimension;
      const lo = regionLow[j] as number;
      const hi = regionHigh[j] as number;
      if (dimension.kind === "range") {
        if (hi > lo) {
          const { values, span } = dimension;
          const width = span > 0 ? ((values[hi] as number) - (values[lo] as number)) / span : 0;
          candidates.push({ dim: j, width });
        }
        continue;
      }
      const qi = this.#qis[j] as EncodedQuasiIdentifier;
      if (lo > qi.minLevel) {
        const rows = (dimension.labelRows[lo] as Int32Array)[hi] as number;
        const width = qi.domainSize > 1 ? (rows - 1) / (qi.domainSize - 1) : 0;
        candidates.push({ dim: j, width });
      }
    }
    candidates.sort((a, b) => b.width - a.width || a.dim - b.dim);
  }

  /**
   * Assigns `partId` for a cut of the surveyed partition `order[from, to)` (holding `records`
   * records) on quasi-identifier `j`, and `popPartId` to its population candidates
   * `popOrder[pFrom, pTo)` (−1 when in no part); returns the number of parts.
   */
  label(from: number, to: number, records: number, j: number, pFrom: number, pTo: number): number {
    const dimension = this.#dimensions[j] as MondrianDimension;
    if (dimension.kind === "range") {
      this.#labelRange(from, to, records, j, dimension, pFrom, pTo);
      return 2;
    }
    return this.#labelHierarchy(from, to, j, pFrom, pTo);
  }

  /** A range cut: part 0 up to the rank that splits the records most evenly, part 1 above. */
  #labelRange(
    from: number,
    to: number,
    records: number,
    j: number,
    dimension: RangeDimension,
    pFrom: number,
    pTo: number,
  ): void {
    const { order, partId, popOrder, popPartId } = this.#layout;
    const popLeaves = this.#population?.tupleLeaf[j] as Int32Array;
    const leaves = this.#tupleLeaf[j] as Int32Array;
    const tupleSize = this.#tupleSize;
    const { rankOf } = dimension;
    const perRank = this.#rankRecords[j] as Float64Array;
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
  }

  /** A hierarchy cut into the lowest common ancestor's children; returns the parts. */
  #labelHierarchy(from: number, to: number, j: number, pFrom: number, pTo: number): number {
    const { order, partId, popOrder, popPartId } = this.#layout;
    const popLeaves = this.#population?.tupleLeaf[j] as Int32Array;
    const leaves = this.#tupleLeaf[j] as Int32Array;
    const level = (this.regionLow[j] as number) - 1;
    const childOf = (this.#qis[j] as EncodedQuasiIdentifier).labelOf[level] as Int32Array;
    const index = this.#childIndex[j]?.[level] as Int32Array;
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
  }
}
