import type { SqlRow } from "../omopStore/index.ts";
import { DECIMAL_SCALE } from "./compileMeasure.ts";
import { canonicalDecimal } from "./exactDecimal.ts";
import { dimensionCategories } from "./parseQuerySpec.ts";
import type { AggregateDimension, HistogramBin, MeasureAggregate } from "./QueryAggregates.ts";
import type { Dimension, MeasureSpec } from "./QuerySpec.ts";

function integer(row: SqlRow | undefined, column: string): number {
  const value = row?.[column] ?? 0;
  return typeof value === "number" ? value : Number(value);
}

function decimal(row: SqlRow | undefined, column: string): string {
  const value = row?.[column];
  return canonicalDecimal(value === null || value === undefined ? "0" : String(value));
}

function dimensionOf(d: Dimension): AggregateDimension {
  return { name: d.dimension, categories: dimensionCategories(d) };
}

/** Row-major counts over the dimensions from rows carrying `d0`, `d1`, … and `column`. */
function cells(
  rows: readonly SqlRow[],
  dimensions: readonly AggregateDimension[],
  column: string,
): number[] {
  const shape = dimensions.map((d) => d.categories.length);
  const counts = new Array<number>(shape.reduce((a, b) => a * b, 1)).fill(0);
  for (const row of rows) {
    let index = 0;
    shape.forEach((size, d) => {
      index = index * size + integer(row, `d${d}`);
    });
    counts[index] = (counts[index] ?? 0) + integer(row, column);
  }
  return counts;
}

function bins(measure: Extract<MeasureSpec, { type: "quantiles" }>, rows: readonly SqlRow[]) {
  const { lower, width } = measure.bins;
  const count = Math.round((measure.bins.upper - lower) / width);
  const scale = 10 ** DECIMAL_SCALE;
  const edge = (k: number) => Math.round((lower + k * width) * scale) / scale;
  const result: HistogramBin[] = [{ lower: null, upper: lower, count: 0 }];
  for (let k = 0; k < count; k++) result.push({ lower: edge(k), upper: edge(k + 1), count: 0 });
  result.push({ lower: edge(count), upper: null, count: 0 });
  const counts = result.map(() => 0);
  for (const row of rows) {
    const bin = integer(row, "bin");
    counts[bin] = (counts[bin] ?? 0) + integer(row, "n");
  }
  return result.map((bin, i) => ({ ...bin, count: counts[i] ?? 0 }));
}

/** Turns a measure statement's rows into its exact aggregate. */
export function buildMeasureAggregate(
  measure: MeasureSpec,
  rows: readonly SqlRow[],
): MeasureAggregate {
  const { name } = measure;
  switch (measure.type) {
    case "count":
      return { name, type: "count", n: integer(rows[0], "n") };
    case "histogram": {
      const dimensions = measure.by.map(dimensionOf);
      return { name, type: "histogram", dimensions, counts: cells(rows, dimensions, "n") };
    }
    case "incidenceRate": {
      const dimension: AggregateDimension =
        measure.by[0] === undefined
          ? { name: "all", categories: ["all"] }
          : dimensionOf(measure.by[0]);
      const persons = cells(rows, [dimension], "persons");
      const events = cells(rows, [dimension], "events");
      const personDays = cells(rows, [dimension], "person_days");
      return {
        name,
        type: "incidenceRate",
        dimension,
        strata: persons.map((p, i) => ({
          persons: p,
          events: events[i] ?? 0,
          personDays: personDays[i] ?? 0,
        })),
      };
    }
    case "summary": {
      const row = rows[0];
      return {
        name,
        type: "summary",
        sums: {
          n: integer(row, "n"),
          total: decimal(row, "total"),
          totalSquares: decimal(row, "total_squares"),
          totalAbs: decimal(row, "total_abs"),
          topTwoAbs: decimal(row, "top2_abs"),
        },
      };
    }
    case "quantiles":
      return {
        name,
        type: "quantiles",
        bins: bins(measure, rows),
        probabilities: measure.probabilities,
      };
    case "twoByTwo": {
      const count = (exposed: number, outcome: number) =>
        rows
          .filter((r) => integer(r, "exposed") === exposed && integer(r, "outcome") === outcome)
          .reduce((sum, r) => sum + integer(r, "n"), 0);
      return {
        name,
        type: "twoByTwo",
        counts: [count(1, 1), count(1, 0), count(0, 1), count(0, 0)],
      };
    }
  }
}
