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
