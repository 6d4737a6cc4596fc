import type { AnonymiseConfig } from "./AnonymiseConfig.ts";
import {
  type CompiledSensitiveModel,
  classPasses,
  compileSensitiveModel,
  MODEL_TOLERANCE,
} from "./compileSensitiveModel.ts";
import { estimateKMapThreshold } from "./estimateKMapThreshold.ts";
import { type GroupDimension, Grouper } from "./Grouper.ts";
import type { PreparedData } from "./prepareData.ts";

/** The outcome of applying one transformation (levels per quasi-identifier). */
export interface NodeEvaluation {
  /** Whether the models hold with at most the allowed number of suppressed records. */
  readonly anonymous: boolean;
  /** Number of equivalence classes before suppression. */
  readonly classCount: number;
  /** Tuple → class (valid until the next evaluation). */
  readonly classOf: Int32Array;
  /** Class → records. */
  readonly classSize: Int32Array;
  /** Class → matching records of the k-map population (when the models have one). */
  readonly classPopulation: Float64Array | undefined;
  /** Class → 1 when suppressed (meaningful only when anonymous). */
  readonly suppressed: Uint8Array;
  /** Records suppressed (meaningful only when anonymous). */
  readonly suppressedRecords: number;
}

/**
 * Applies transformations to the collapsed data and decides the privacy models, with the
 * search's own (fast) bookkeeping: classes are formed by regrouping the distinct tuples, not
 * the rows, and classes violating a model are suppressed while within the limit.
 *
 * k-map with an estimator is k′-anonymity (k′ from {@link estimateKMapThreshold}). With a
 * population table, the population's tuples are grouped together with the sample's (sample
 * first, so the sample's classes keep the ids [0, classes)); a class's population size is
 * the records of the population tuples falling into it.
 */
export class NodeEvaluator {
  readonly #prepared: PreparedData;
  readonly #grouper = new Grouper();
  readonly #k: number;
  readonly #sensitive: readonly CompiledSensitiveModel[];
  readonly #riskThreshold: number;
  readonly #maxSuppressed: number;
  readonly #dims: GroupDimension[];
  /** Sample tuples then population tuples, when a k-map population is given. */
  readonly #rows: number;
  #classOf: Int32Array;
  #classPopulation = new Float64Array(0);
  #classSize = new Int32Array(0);
  #suppressed = new Uint8Array(0);
  #classStart = new Int32Array(0);
  #order: Int32Array;
  readonly #counts: Float64Array;
  readonly #dense: Float64Array;
  /** Number of evaluations so far. */
  evaluations = 0;

  constructor(
    prepared: PreparedData,
    config: AnonymiseConfig,
    dictionaries: readonly (readonly string[])[],
    columns: readonly string[],
  ) {
    this.#prepared = prepared;
    let k = 1;
    let risk = 1;
    const sensitive: CompiledSensitiveModel[] = [];
    for (const model of config.models) {
      if (model.type === "k-anonymity") k = Math.max(k, model.k);
      else if (model.type === "average-risk") risk = Math.min(risk, model.threshold);
      else if (model.type === "k-map") {
        if (!("population" in model)) {
          k = Math.max(k, estimateKMapThreshold(model, prepared.rowCount).derivedK);
        }
      } else {
        const dictionary = dictionaries[columns.indexOf(model.attribute)] as readonly string[];
        sensitive.push(compileSensitiveModel(prepared, model, dictionary));
      }
    }
    this.#k = k;
    this.#sensitive = sensitive;
    this.#riskThreshold = risk;
    this.#maxSuppressed = Math.floor(config.suppressionLimit * prepared.rowCount + 1e-9);
    const population = prepared.population;
    this.#rows = prepared.tupleCount + (population?.tupleCount ?? 0);
    this.#dims = prepared.quasiIdentifiers.map((qi, j) => {
      let codes = prepared.tupleLeaf[j] as Int32Array;
      if (population !== undefined) {
        codes = new Int32Array(this.#rows);
        codes.set(prepared.tupleLeaf[j] as Int32Array);
        codes.set(population.tupleLeaf[j] as Int32Array, prepared.tupleCount);
      }
      return { codes, map: qi.labelOf[0] as Int32Array, radix: 1 };
    });
    this.#classOf = new Int32Array(this.#rows);
    this.#order = new Int32Array(prepared.tupleCount);
    let domain = 1;
    for (const s of sensitive) domain = Math.max(domain, s.data.domain);
    this.#counts = new Float64Array(domain);
    this.#dense = new Float64Array(domain);
  }

  /** Records that may be suppressed. */
  get maxSuppressed(): number {
    return this.#maxSuppressed;
  }

  /** Evaluates the transformation `levels` (one level per quasi-identifier). */
  evaluate(levels: ArrayLike<number>): NodeEvaluation {
    this.evaluations++;
    const prepared = this.#prepared;
    const tuples = prepared.tupleCount;
    prepared.quasiIdentifiers.forEach((qi, j) => {
      const level = levels[j] as number;
      const dim = this.#dims[j] as GroupDimension;
      this.#dims[j] = {
        codes: dim.codes,
        map: qi.labelOf[level] as Int32Array,
        radix: (qi.labels[level] as readonly string[]).length,
      };
    });
    const classOf = this.#classOf;
    let classCount = this.#grouper.group(this.#rows, this.#dims, classOf);
    if (this.#rows > tuples) {
      classCount = 0;
      for (let t = 0; t < tuples; t++)
        classCount = Math.max(classCount, (classOf[t] as number) + 1);
    }
    if (this.#classSize.length < classCount) {
      this.#classSize = new Int32Array(classCount);
      this.#suppressed = new Uint8Array(classCount);
      this.#classStart = new Int32Array(classCount + 1);
    }
    const classSize = this.#classSize;
    const suppressed = this.#suppressed;
    classSize.fill(0, 0, classCount);
    suppressed.fill(0, 0, classCount);
    const tupleSize = prepared.tupleSize;
    for (let t = 0; t < tuples; t++) {
      const c = classOf[t] as number;
      classSize[c] = (classSize[c] as number) + (tupleSize[t] as number);
    }
    const population = prepared.population;
    let classPopulation: Float64Array | undefined;
    let kMap = 0;
    if (population !== undefined) {
      if (this.#classPopulation.length < classCount) {
        this.#classPopulation = new Float64Array(this.#classSize.length);
      }
      classPopulation = this.#classPopulation;
      classPopulation.fill(0, 0, classCount);
      const sizes = population.tupleSize;
      for (let p = 0; p < population.tupleCount; p++) {
        const c = classOf[tuples + p] as number;
        if (c < classCount)
          classPopulation[c] = (classPopulation[c] as number) + (sizes[p] as number);
      }
      kMap = population.k;
    }
    const result = (anonymous: boolean, suppressedRecords: number): NodeEvaluation => ({
      anonymous,
      classCount,
      classOf,
      classSize,
      classPopulation,
      suppressed,
      suppressedRecords,
    });
    const max = this.#maxSuppressed;
    let removed = 0;
    const k = this.#k;
    for (let c = 0; c < classCount; c++) {
      const size = classSize[c] as number;
      if (size < k || (classPopulation !== undefined && (classPopulation[c] as number) < kMap)) {
        suppressed[c] = 1;
        removed += size;
        if (removed > max) return result(false, removed);
      }
    }
    if (this.#sensitive.length > 0) {
      removed = this.#checkSensitive(classCount, removed);
      if (removed > max) return result(false, removed);
    }
    if (this.#riskThreshold < 1) {
      removed = this.#enforceRisk(classCount, removed);
      if (removed > max) return result(false, removed);
    }
    return result(true, removed);
  }

  #checkSensitive(classCount: number, removedBefore: number): number {
    const prepared = this.#prepared;
    const tuples = prepared.tupleCount;
    const classOf = this.#classOf;
    const start = this.#classStart;
    const order = this.#order;
    const suppressed = this.#suppressed;
    const classSize = this.#classSize;
    start.fill(0, 0, classCount + 1);
    for (let t = 0; t < tuples; t++) {
      const c = (classOf[t] as number) + 1;
      start[c] = (start[c] as number) + 1;
    }
    for (let c = 0; c < classCount; c++)
      start[c + 1] = (start[c + 1] as number) + (start[c] as number);
    const fill = start.slice(0, classCount);
    for (let t = 0; t < tuples; t++) {
      const c = classOf[t] as number;
      order[fill[c] as number] = t;
      fill[c] = (fill[c] as number) + 1;
    }
    const counts = this.#counts;
    const touched: number[] = [];
    let removed = removedBefore;
    for (let c = 0; c < classCount; c++) {
      if (suppressed[c] === 1) continue;
      for (const compiled of this.#sensitive) {
        const { start: entryStart, values, counts: entryCounts } = compiled.data;
        for (let i = start[c] as number; i < (start[c + 1] as number); i++) {
          const t = order[i] as number;
          for (let e = entryStart[t] as number; e < (entryStart[t + 1] as number); e++) {
            const v = values[e] as number;
            if (counts[v] === 0) touched.push(v);
            counts[v] = (counts[v] as number) + (entryCounts[e] as number);
          }
        }
        const passes = classPasses(compiled, counts, touched, classSize[c] as number, this.#dense);
        for (const v of touched) counts[v] = 0;
        touched.length = 0;
        if (!passes) {
          suppressed[c] = 1;
          removed += classSize[c] as number;
          if (removed > this.#maxSuppressed) return removed;
          break;
        }
      }
    }
    return removed;
  }

  /** Suppresses the smallest released classes until the mean prosecutor risk meets the threshold. */
  #enforceRisk(classCount: number, removedBefore: number): number {
    const classSize = this.#classSize;
    const suppressed = this.#suppressed;
    let classes = 0;
    let records = this.#prepared.rowCount - removedBefore;
    for (let c = 0; c < classCount; c++) if (suppressed[c] === 0) classes++;
    const threshold = this.#riskThreshold * (1 + MODEL_TOLERANCE);
    if (records === 0 || classes / records <= threshold) return removedBefore;
    const candidates: number[] = [];
    for (let c = 0; c < classCount; c++) if (suppressed[c] === 0) candidates.push(c);
    candidates.sort((a, b) => (classSize[a] as number) - (classSize[b] as number) || a - b);
    let removed = removedBefore;
    for (const c of candidates) {
      if (records > 0 && classes / records <= threshold) break;
      suppressed[c] = 1;
      const size = classSize[c] as number;
      removed += size;
      records -= size;
      classes--;
      if (removed > this.#maxSuppressed) return removed;
    }
    return removed;
  }
}
