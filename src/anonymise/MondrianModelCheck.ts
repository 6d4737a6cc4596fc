import type { AnonymiseConfig } from "./AnonymiseConfig.ts";
import {
  type CompiledSensitiveModel,
  classPasses,
  compileSensitiveModel,
} from "./compileSensitiveModel.ts";
import { estimateKMapThreshold } from "./estimateKMapThreshold.ts";
import type { MondrianRegions } from "./MondrianRegions.ts";
import type { EncodedPopulation, PreparedData } from "./prepareData.ts";

/**
 * Decides whether a candidate Mondrian part satisfies every privacy model: k (the largest
 * of k-anonymity's k and the k′ of estimated k-map), the sensitive-attribute models over the
 * part's value counts, and a k-map population table's k over the population records inside
 * the part's own region (average risk is a property of the whole release, which validation
 * refuses with Mondrian). Counting buffers are allocated once and cleared after each check.
 *
 * @example
 * ```ts
 * const check = new MondrianModelCheck(prepared, config, dictionaries, columns, regions);
 * if (check.allows(order, from, to, records, popOrder, pFrom, pTo)) keep(from, to);
 * check.checks; // candidate parts checked so far
 * ```
 */
export class MondrianModelCheck {
  readonly #k: number;
  readonly #sensitive: readonly CompiledSensitiveModel[];
  readonly #counts: Float64Array;
  readonly #dense: Float64Array;
  readonly #touched: number[] = [];
  readonly #regions: MondrianRegions;
  readonly #population: EncodedPopulation | undefined;
  /** The region of the part under check, for the population count. */
  readonly #partLow: Int32Array;
  readonly #partHigh: Int32Array;
  #checks = 0;

  constructor(
    prepared: PreparedData,
    config: AnonymiseConfig,
    dictionaries: readonly (readonly string[])[],
    columns: readonly string[],
    regions: MondrianRegions,
  ) {
    let k = 1;
    const sensitive: CompiledSensitiveModel[] = [];
    let domain = 1;
    for (const model of config.models) {
      if (model.type === "k-anonymity") k = Math.max(k, model.k);
      else if (model.type === "k-map") {
        if (!("population" in model)) {
          k = Math.max(k, estimateKMapThreshold(model, prepared.rowCount).derivedK);
        }
      } else if (model.type !== "average-risk") {
        const dictionary = dictionaries[columns.indexOf(model.attribute)] as readonly string[];
        const compiled = compileSensitiveModel(prepared, model, dictionary);
        sensitive.push(compiled);
        domain = Math.max(domain, compiled.data.domain);
      }
    }
    this.#k = k;
    this.#sensitive = sensitive;
    this.#counts = new Float64Array(domain);
    this.#dense = new Float64Array(domain);
    this.#regions = regions;
    this.#population = prepared.population;
    const dims = prepared.quasiIdentifiers.length;
    this.#partLow = new Int32Array(dims);
    this.#partHigh = new Int32Array(dims);
  }

  /** Candidate parts checked against the sample-side models so far. */
  get checks(): number {
    return this.#checks;
  }

  /**
   * Whether the sample tuples `buffer[from, to)` holding `records` records, with the
   * population candidates `popBuffer[pFrom, pTo)`, satisfy every model.
   */
  allows(
    buffer: Int32Array,
    from: number,
    to: number,
    records: number,
    popBuffer: Int32Array,
    pFrom: number,
    pTo: number,
  ): boolean {
    if (!this.#passes(buffer, from, to, records)) return false;
    const population = this.#population;
    if (population === undefined) return true;
    const low = this.#partLow;
    const high = this.#partHigh;
    this.#regions.regionOf(buffer, from, to, low, high);
    return this.#regions.populationIn(popBuffer, pFrom, pTo, low, high) >= population.k;
  }

  /** Whether the tuples `buffer[from, to)` holding `records` records pass k and the sensitive models. */
  #passes(buffer: Int32Array, from: number, to: number, records: number): boolean {
    this.#checks++;
    if (records < this.#k) return false;
    const counts = this.#counts;
    const dense = this.#dense;
    const touched = this.#touched;
    for (const compiled of this.#sensitive) {
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
  }
}
