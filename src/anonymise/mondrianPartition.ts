import type { AnonymiseConfig } from "./AnonymiseConfig.ts";
import { initialMondrianParts } from "./initialMondrianParts.ts";
import { MondrianClasses } from "./MondrianClasses.ts";
import { MondrianCutter } from "./MondrianCutter.ts";
import { MondrianLayout } from "./MondrianLayout.ts";
import { MondrianModelCheck } from "./MondrianModelCheck.ts";
import type { MondrianPartitioning } from "./MondrianPartitioning.ts";
import { MondrianRegions } from "./MondrianRegions.ts";
import type { MondrianDimension } from "./mondrianDimensions.ts";
import type { PreparedData } from "./prepareData.ts";

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
  const hasPopulation = prepared.population !== undefined;
  const regions = new MondrianRegions(prepared, dimensions);
  const check = new MondrianModelCheck(prepared, config, dictionaries, columns, regions);
  const layout = new MondrianLayout(prepared);
  const classes = new MondrianClasses(prepared, config);
  const { order, popOrder, scratch, popScratch } = layout;

  // A partition on the stack is five plain numbers, so the loop allocates no partition
  // objects: from, to, records, pFrom, pTo (its tuples `order[from, to)` and population
  // candidates `popOrder[pFrom, pTo)`).
  const stack: number[] = [];
  const initial = initialMondrianParts(prepared, dimensions, layout);
  for (let p = initial.count - 1; p >= 0; p--) {
    const from = initial.bounds[p] as number;
    const to = initial.bounds[p + 1] as number;
    const records = initial.records[p] as number;
    const pFrom = initial.popBounds[p] as number;
    const pTo = initial.popBounds[p + 1] as number;
    if (check.allows(order, from, to, records, popOrder, pFrom, pTo)) {
      stack.push(from, to, records, pFrom, pTo);
    } else if (!classes.suppress(order, from, to, records)) {
      return undefined;
    }
  }

  const cutter = new MondrianCutter(prepared, dimensions, regions, layout);
  const { regionLow, regionHigh } = cutter;
  let splits = 0;
  while (stack.length > 0) {
    const pTo = stack.pop() as number;
    const pFrom = stack.pop() as number;
    const records = stack.pop() as number;
    const to = stack.pop() as number;
    const from = stack.pop() as number;
    cutter.survey(from, to);
    let cut = false;
    for (const { dim } of cutter.candidates) {
      const parts = cutter.label(from, to, records, dim, pFrom, pTo);
      const { bounds, records: partRecords } = layout.arrange(from, to, parts);
      const popParts = hasPopulation ? layout.arrangePopulation(pFrom, pTo, parts) : undefined;
      let ok = true;
      for (let p = 0; p < parts && ok; p++) {
        ok = check.allows(
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
      layout.keepArranged(from, to);
      if (popParts !== undefined) layout.keepArrangedPopulation(pFrom, pTo);
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
    const population = regions.populationIn(popOrder, pFrom, pTo, regionLow, regionHigh);
    classes.release(order, from, to, records, population, regionLow, regionHigh);
  }
  return classes.result(splits, check.checks);
}
