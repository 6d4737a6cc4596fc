import { type GroupDimension, Grouper } from "./Grouper.ts";
import type { ArrangedParts, MondrianLayout } from "./MondrianLayout.ts";
import type { MondrianDimension } from "./mondrianDimensions.ts";
import type { PreparedData } from "./prepareData.ts";

/** Mondrian's starting partitions, laid out contiguously in the {@link MondrianLayout}. */
export interface InitialMondrianParts extends ArrangedParts {
  /** Number of parts. */
  readonly count: number;
  /** Part `p`'s population candidates are `popOrder[popBounds[p], popBounds[p + 1])`. */
  readonly popBounds: Int32Array;
}

/**
 * The hierarchy quasi-identifiers whose allowed top level still has several labels (they
 * have no common root to cut from), as grouping dimensions at that level.
 */
function forcedDimensions(prepared: PreparedData, dimensions: readonly MondrianDimension[]) {
  const forced: GroupDimension[] = [];
  const forcedQis: number[] = [];
  prepared.quasiIdentifiers.forEach((qi, j) => {
    if (dimensions[j]?.kind === "hierarchy" && (qi.labels[qi.maxLevel]?.length ?? 1) > 1) {
      forcedQis.push(j);
      forced.push({
        codes: prepared.tupleLeaf[j] as Int32Array,
        map: qi.labelOf[qi.maxLevel] as Int32Array,
        radix: (qi.labels[qi.maxLevel] as readonly string[]).length,
      });
    }
  });
  return { forced, forcedQis };
}

/**
 * Cuts the input at each bounded hierarchy quasi-identifier's `maxLevel` (one part, the whole
 * input, when there is none) and arranges `order` (and a k-map population's `popOrder`) by
 * part. Population tuples in a group no sample tuple has belong to no part.
 *
 * @example
 * ```ts
 * const initial = initialMondrianParts(prepared, dimensions, layout);
 * initial.bounds[initial.count]; // where the last part ends in `layout.order`
 * ```
 */
export function initialMondrianParts(
  prepared: PreparedData,
  dimensions: readonly MondrianDimension[],
  layout: MondrianLayout,
): InitialMondrianParts {
  const tuples = prepared.tupleCount;
  const { population } = prepared;
  const populationTuples = population?.tupleCount ?? 0;
  const { forced, forcedQis } = forcedDimensions(prepared, dimensions);
  const { partId, popPartId } = layout;
  let count = 1;
  if (forced.length > 0 && population === undefined) {
    count = new Grouper().group(tuples, forced, partId);
  } else if (forced.length > 0 && population !== undefined) {
    // Sample and population tuples grouped together, sample first, so that sample groups
    // keep the ids [0, count).
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
      count = Math.max(count, (ids[t] as number) + 1);
    }
    for (let p = 0; p < populationTuples; p++) {
      const id = ids[tuples + p] as number;
      popPartId[p] = id < count ? id : -1;
    }
  }
  const { bounds, records } = layout.arrange(0, tuples, count);
  layout.keepArranged(0, tuples);
  let popBounds: Int32Array = Int32Array.of(0, populationTuples);
  if (forced.length > 0 && population !== undefined) {
    popBounds = layout.arrangePopulation(0, populationTuples, count);
    layout.keepArrangedPopulation(0, populationTuples);
  }
  return { count, bounds, records, popBounds };
}
