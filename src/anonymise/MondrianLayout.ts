import type { PreparedData } from "./prepareData.ts";

/** The parts of a counting-sorted range of {@link MondrianLayout.order}. */
export interface ArrangedParts {
  /** Part `p` is `scratch[bounds[p], bounds[p + 1])` (length parts + 1). */
  readonly bounds: Int32Array;
  /** Part → sample records. */
  readonly records: Float64Array;
}

/**
 * The order of the sample's and the k-map population's collapsed tuples that keeps every
 * Mondrian partition contiguous, and the counting sorts that lay out a cut: a cut writes each
 * tuple's part into `partId` / `popPartId`, `arrange` sorts the range into the scratch buffer,
 * and only a cut every part of which passes is kept. All buffers are allocated once.
 *
 * @example
 * ```ts
 * const layout = new MondrianLayout(prepared);
 * const { bounds, records } = layout.arrange(from, to, parts);
 * layout.keepArranged(from, to);
 * ```
 */
export class MondrianLayout {
  /** Sample tuples, partitions contiguous (starts as the identity). */
  readonly order: Int32Array;
  /** Where {@link arrange} sorts a range of `order`. */
  readonly scratch: Int32Array;
  /** Sample tuple → its part in the cut being arranged. */
  readonly partId: Int32Array;
  /** Population tuples, each partition's candidates contiguous (starts as the identity). */
  readonly popOrder: Int32Array;
  /** Where {@link arrangePopulation} sorts a range of `popOrder`. */
  readonly popScratch: Int32Array;
  /** Population tuple → its part in the cut being arranged, −1 when in none. */
  readonly popPartId: Int32Array;
  readonly #tupleSize: Int32Array;

  constructor(prepared: PreparedData) {
    const tuples = prepared.tupleCount;
    const populationTuples = prepared.population?.tupleCount ?? 0;
    this.order = new Int32Array(tuples);
    this.scratch = new Int32Array(tuples);
    this.partId = new Int32Array(tuples);
    this.popOrder = new Int32Array(populationTuples);
    this.popScratch = new Int32Array(populationTuples);
    this.popPartId = new Int32Array(populationTuples);
    this.#tupleSize = prepared.tupleSize;
    for (let t = 0; t < tuples; t++) this.order[t] = t;
    for (let p = 0; p < populationTuples; p++) this.popOrder[p] = p;
  }

  /**
   * Counting-sorts `order[from, to)` by `partId` (ids in [0, parts)) into `scratch`, stable;
   * returns the part boundaries and record counts.
   */
  arrange(from: number, to: number, parts: number): ArrangedParts {
    const order = this.order;
    const partId = this.partId;
    const scratch = this.scratch;
    const tupleSize = this.#tupleSize;
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
  }

  /**
   * Counting-sorts `popOrder[from, to)` by `popPartId` (−1: dropped, sorted last) into
   * `popScratch`; returns the part boundaries (length parts + 2, the dropped ones last).
   */
  arrangePopulation(from: number, to: number, parts: number): Int32Array {
    const popOrder = this.popOrder;
    const popPartId = this.popPartId;
    const popScratch = this.popScratch;
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
  }

  /** Keeps the arrangement of `order[from, to)`: the cut is made. */
  keepArranged(from: number, to: number): void {
    this.order.set(this.scratch.subarray(from, to), from);
  }

  /** Keeps the arrangement of `popOrder[from, to)`. */
  keepArrangedPopulation(from: number, to: number): void {
    this.popOrder.set(this.popScratch.subarray(from, to), from);
  }
}
