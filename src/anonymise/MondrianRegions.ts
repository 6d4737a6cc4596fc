import type { MondrianDimension } from "./mondrianDimensions.ts";
import type { EncodedPopulation, EncodedQuasiIdentifier, PreparedData } from "./prepareData.ts";

/**
 * The region a set of collapsed tuples spans per quasi-identifier (a range dimension's
 * lowest and highest value rank, a hierarchy dimension's lowest common ancestor at or above
 * its `minLevel`), and the k-map population records inside a region. Region buffers are the
 * caller's, so the Mondrian loop allocates nothing per partition.
 *
 * @example
 * ```ts
 * const regions = new MondrianRegions(prepared, dimensions);
 * regions.regionOf(order, from, to, low, high);
 * const inside = regions.populationIn(popOrder, pFrom, pTo, low, high);
 * ```
 */
export class MondrianRegions {
  readonly #dimensions: readonly MondrianDimension[];
  readonly #qis: readonly EncodedQuasiIdentifier[];
  readonly #tupleLeaf: readonly Int32Array[];
  readonly #population: EncodedPopulation | undefined;

  constructor(prepared: PreparedData, dimensions: readonly MondrianDimension[]) {
    this.#dimensions = dimensions;
    this.#qis = prepared.quasiIdentifiers;
    this.#tupleLeaf = prepared.tupleLeaf;
    this.#population = prepared.population;
  }

  /**
   * Writes the region of the sample tuples `buffer[from, to)` (non-empty) into `lowOut` /
   * `highOut`: per range dimension the lowest and highest rank, per hierarchy dimension the
   * lowest common ancestor's level and label id.
   */
  regionOf(
    buffer: Int32Array,
    from: number,
    to: number,
    lowOut: Int32Array,
    highOut: Int32Array,
  ): void {
    const dimensions = this.#dimensions;
    const qis = this.#qis;
    const tupleLeaf = this.#tupleLeaf;
    const first = buffer[from] as number;
    for (let j = 0; j < dimensions.length; j++) {
      const dimension = dimensions[j] as MondrianDimension;
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
        continue;
      }
      const qi = qis[j] as EncodedQuasiIdentifier;
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
    }
  }

  /**
   * Population records among the population tuples `popBuffer[from, to)` that lie inside the
   * region `low` / `high` (as {@link regionOf} writes it); 0 without a population table.
   */
  populationIn(
    popBuffer: Int32Array,
    from: number,
    to: number,
    low: Int32Array,
    high: Int32Array,
  ): number {
    const population = this.#population;
    if (population === undefined) return 0;
    const dimensions = this.#dimensions;
    const qis = this.#qis;
    const dims = qis.length;
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
          const labelOf = (qis[j] as EncodedQuasiIdentifier).labelOf;
          inside = (labelOf[low[j] as number] as Int32Array)[leaf] === high[j];
        }
      }
      if (inside) count += population.tupleSize[p] as number;
    }
    return count;
  }
}
