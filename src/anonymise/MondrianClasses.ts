import type { AnonymiseConfig } from "./AnonymiseConfig.ts";
import type { MondrianPartitioning } from "./MondrianPartitioning.ts";
import type { PreparedData } from "./prepareData.ts";

/**
 * Collects the equivalence classes Mondrian settles on, in the order it settles them: each
 * class's tuples, records, population and region, and the suppressed ones within the
 * suppression limit. Reports progress (the share of records settled) at most once per
 * thousandth, and builds the {@link MondrianPartitioning}.
 *
 * @example
 * ```ts
 * const classes = new MondrianClasses(prepared, config);
 * if (!classes.suppress(order, from, to, records)) return undefined;
 * classes.release(order, from, to, records, population, low, high);
 * return classes.result(splits, checks);
 * ```
 */
export class MondrianClasses {
  readonly #classOfTuple: Int32Array;
  readonly #sizes: number[] = [];
  readonly #populations: number[] = [];
  readonly #suppressed: number[] = [];
  /** Per quasi-identifier, class → region (0 for suppressed classes). */
  readonly #low: number[][];
  readonly #high: number[][];
  readonly #hasPopulation: boolean;
  readonly #rows: number;
  readonly #maxSuppressed: number;
  readonly #progress: ((fraction: number) => void) | undefined;
  #suppressedRecords = 0;
  #finished = 0;
  #reported = -1;

  constructor(prepared: PreparedData, config: AnonymiseConfig) {
    const qis = prepared.quasiIdentifiers;
    this.#classOfTuple = new Int32Array(prepared.tupleCount);
    this.#low = qis.map(() => []);
    this.#high = qis.map(() => []);
    this.#hasPopulation = prepared.population !== undefined;
    this.#rows = prepared.rowCount;
    this.#maxSuppressed = Math.floor(config.suppressionLimit * prepared.rowCount + 1e-9);
    this.#progress = config.onProgress;
  }

  /**
   * Suppresses the tuples `order[from, to)` holding `records` records as one class; false
   * (and nothing settled) when that would exceed the suppression limit.
   */
  suppress(order: Int32Array, from: number, to: number, records: number): boolean {
    this.#suppressedRecords += records;
    if (this.#suppressedRecords > this.#maxSuppressed) return false;
    this.#settle(order, from, to, records, 1, 0);
    for (const low of this.#low) low.push(0);
    for (const high of this.#high) high.push(0);
    return true;
  }

  /**
   * Releases the tuples `order[from, to)` holding `records` records (and `population`
   * population records) as one class with the region `low` / `high`.
   */
  release(
    order: Int32Array,
    from: number,
    to: number,
    records: number,
    population: number,
    low: Int32Array,
    high: Int32Array,
  ): void {
    this.#settle(order, from, to, records, 0, population);
    const lows = this.#low;
    const highs = this.#high;
    for (let j = 0; j < lows.length; j++) {
      (lows[j] as number[]).push(low[j] as number);
      (highs[j] as number[]).push(high[j] as number);
    }
  }

  /** The partitioning of the classes settled, with the search's counters. */
  result(splits: number, checks: number): MondrianPartitioning {
    return {
      classCount: this.#sizes.length,
      classOfTuple: this.#classOfTuple,
      classSize: Int32Array.from(this.#sizes),
      classPopulation: this.#hasPopulation ? Float64Array.from(this.#populations) : undefined,
      suppressed: Uint8Array.from(this.#suppressed),
      suppressedRecords: this.#suppressedRecords,
      low: this.#low.map((values) => Int32Array.from(values)),
      high: this.#high.map((values) => Int32Array.from(values)),
      splits,
      checks,
    };
  }

  #settle(
    order: Int32Array,
    from: number,
    to: number,
    records: number,
    suppressed: number,
    population: number,
  ): void {
    const c = this.#sizes.length;
    const classOfTuple = this.#classOfTuple;
    for (let i = from; i < to; i++) classOfTuple[order[i] as number] = c;
    this.#sizes.push(records);
    this.#populations.push(population);
    this.#suppressed.push(suppressed);
    this.#finished += records;
    const progress = this.#progress;
    if (progress === undefined) return;
    const permille = Math.floor((this.#finished / this.#rows) * 1000);
    if (permille !== this.#reported) {
      this.#reported = permille;
      progress(this.#finished / this.#rows);
    }
  }
}
